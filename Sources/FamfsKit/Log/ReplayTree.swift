#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// A directory tree logplay creates entries in, confined to its root: every path is walked
/// component by component with `openat(O_NOFOLLOW)` from the root's descriptor, so a symlink
/// planted anywhere inside the tree is never followed and nothing outside the root is touched.
/// Modes are applied exactly (set again where the umask took bits away); ownership is set
/// when it differs from the caller's and the caller may change it (root).
final class ReplayTree {
    enum Kind {
        /// Empty placeholder files (`--into`).
        case placeholders
        /// One shadow YAML document per file (`--shadow`).
        case shadow
    }

    enum Outcome: Equatable {
        case created
        case existed
        case failed(String)
    }

    let kind: Kind
    private let rootFD: Int32
    /// Open directories by path (components joined by `/`), the root as the empty path.
    private var directories: [[UInt8]: Int32] = [:]
    /// What each directory visited holds (name → `d_type`), read once with readdir and kept
    /// up to date with what this tree creates: a replay over an existing tree then costs one
    /// directory read per directory instead of one `stat` per entry.
    private var listings: [[UInt8]: [[UInt8]: UInt8]] = [:]
    /// Bits the umask removes from modes at creation, restored with chmod.
    private let umask: mode_t
    /// Root: may chown, and directory permissions do not keep it out.
    private let mayChown: Bool
    /// Directories created with owner rwx for a caller that is not root, because their
    /// logged mode would keep it from creating their entries; `finish` sets the logged mode.
    private var pendingModes: [(components: [[UInt8]], mode: UInt32)] = []
    private let owner: (uid: uid_t, gid: gid_t)

    /// Directory descriptors kept open at most: the cache is emptied when it grows past
    /// this. Logs list files in any order across directories, so the limit is raised to hold
    /// every directory of a full 8 MiB log.
    private let cachedDirectoryLimit: Int

    /// Opens `root` (which the caller chose, so a symlink naming it is followed), creating it
    /// (one level) when it is missing.
    init(root: String, kind: Kind) throws(ReplayTreeError) {
        self.kind = kind
        if mkdir(root, 0o755) != 0, errno != EEXIST { throw .cannotOpen(root, errno) }
        let fd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(root, errno) }
        rootFD = fd
        // Safe: the limit is capped at 65536, and a few descriptors stay free for the rest.
        cachedDirectoryLimit = max(64, Int(Syscall.raiseDescriptorLimit(cap: 1 << 16)) - 64)
        umask = Syscall.currentUmask()
        mayChown = geteuid() == 0
        owner = (geteuid(), getegid())
    }

    deinit {
        for fd in directories.values { Syscall.close(fd) }
        Syscall.close(rootFD)
    }

    func makeDirectory(_ components: [[UInt8]], mode: UInt32, uid: UInt32, gid: UInt32) -> Outcome {
        let (parent, name): (Int32, [UInt8])
        switch place(components, type: UInt8(DT_DIR)) {
        case .success(let value): (parent, name) = value
        case .failure(let done): return done.outcome
        }
        let locksOwnerOut = !mayChown && mode & 0o300 != 0o300
        switch Syscall.mkdirat(parent, name, mode: mode_t(locksOwnerOut ? mode | 0o700 : mode)) {
        case .success:
            if locksOwnerOut {
                pendingModes.append((components, mode))
            } else if mode_t(mode) & umask != 0, case .failure(let code) = Syscall.fchmodat(parent, name, mode: mode_t(mode)) {
                return .failed("cannot set mode \(String(mode, radix: 8)): \(code.description)")
            }
            record(name, type: UInt8(DT_DIR), in: components.dropLast())
            listings[key(components[...])] = [:]
            if let problem = chown(parent, name, uid: uid, gid: gid) { return .failed(problem) }
            return .created
        case .failure(.fileExists):
            return judgeRace(parent, name, type: UInt8(DT_DIR))
        case .failure(let code):
            return .failed("cannot create the directory: \(code.description)")
        }
    }

    /// Creates a file with `contents` (nothing for placeholders).
    func makeFile(_ components: [[UInt8]], mode: UInt32, uid: UInt32, gid: UInt32, contents: () -> String) -> Outcome {
        let (parent, name): (Int32, [UInt8])
        switch place(components, type: UInt8(DT_REG)) {
        case .success(let value): (parent, name) = value
        case .failure(let done): return done.outcome
        }
        let fd: Int32
        switch Syscall.openat(parent, name, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode_t(mode)) {
        case .success(let value): fd = value
        case .failure(.fileExists): return judgeRace(parent, name, type: UInt8(DT_REG))
        case .failure(let code): return .failed("cannot create the file: \(code.description)")
        }
        record(name, type: UInt8(DT_REG), in: components.dropLast())
        defer { Syscall.close(fd) }
        if mode_t(mode) & umask != 0, case .failure(let code) = Syscall.fchmod(fd, mode: mode_t(mode)) {
            return .failed("cannot set mode \(String(mode, radix: 8)): \(code.description)")
        }
        if kind == .shadow {
            var text = contents()
            let written = text.withUTF8 { Syscall.writeAll(fd, UnsafeRawBufferPointer($0)) }
            if case .failure(let code) = written { return .failed("cannot write the shadow yaml: \(code.description)") }
        }
        if mayChown, uid != owner.uid || gid != owner.gid, case .failure(let code) = Syscall.fchown(fd, uid: uid, gid: gid) {
            return .failed("cannot change the owner to \(uid):\(gid): \(code.description)")
        }
        return .created
    }

    /// Nothing to create: the node is there already, or something else is in the way.
    struct Done: Error {
        var outcome: Outcome
    }

    /// The parent's descriptor and the name where a node of `type` (a `d_type`) is to be
    /// created, or what to report when there is nothing to create.
    private func place(_ components: [[UInt8]], type: UInt8) -> Result<(Int32, [UInt8]), Done> {
        let parent: Int32
        switch directory(components.dropLast()) {
        case .success(let fd): parent = fd
        case .failure(let error): return .failure(Done(outcome: .failed(error.description)))
        }
        let name = components.last!
        switch existing(name, in: components.dropLast(), parent: parent) {
        case nil: return .success((parent, name))
        case type?: return .failure(Done(outcome: .existed))
        default: return .failure(Done(outcome: .failed(Self.inTheWay(type))))
        }
    }

    /// A node created behind the listing's back (another replay running): judged as found.
    private func judgeRace(_ parent: Int32, _ name: [UInt8], type: UInt8) -> Outcome {
        let wanted = type == UInt8(DT_DIR) ? S_IFDIR : S_IFREG
        guard case .success(let info) = Syscall.lstatat(parent, name), info.st_mode & S_IFMT == wanted else {
            return .failed(Self.inTheWay(type))
        }
        return .existed
    }

    private static func inTheWay(_ type: UInt8) -> String {
        type == UInt8(DT_DIR) ? "exists and is not a directory" : "exists and is not a regular file"
    }

    /// Gives the directories created open their logged modes, innermost first; returns the
    /// path and reason of each that failed.
    func finish() -> [(components: [[UInt8]], reason: String)] {
        var failures: [(components: [[UInt8]], reason: String)] = []
        for (components, mode) in pendingModes.reversed() {
            let parent: Int32
            switch directory(components.dropLast()) {
            case .success(let fd): parent = fd
            case .failure(let error):
                failures.append((components, error.description))
                continue
            }
            if case .failure(let code) = Syscall.fchmodat(parent, components.last!, mode: mode_t(mode)) {
                failures.append((components, "cannot set mode \(String(mode, radix: 8)): \(code.description)"))
            }
        }
        pendingModes.removeAll()
        return failures
    }

    /// The contents of a file in the tree (for re-reading shadow YAML), at most `limit` bytes.
    func read(_ components: [[UInt8]], limit: Int) -> Result<[UInt8], ReplayTreeError> {
        let parent: Int32
        switch directory(components.dropLast()) {
        case .success(let fd): parent = fd
        case .failure(let error): return .failure(error)
        }
        switch Syscall.openat(parent, components.last!, flags: O_RDONLY) {
        case .success(let fd):
            defer { Syscall.close(fd) }
            return Syscall.readAll(fd, limit: limit).mapError { .entry("cannot read: \($0.description)") }
        case .failure(let code):
            return .failure(.entry("cannot open: \(code.description)"))
        }
    }

    /// The `d_type` of `name` in the directory at `path` (descriptor `parent`), nil when it is
    /// not there. Types the listing does not know are asked of lstat.
    private func existing(_ name: [UInt8], in path: ArraySlice<[UInt8]>, parent: Int32) -> UInt8? {
        let directory = key(path)
        if listings[directory] == nil {
            listings[directory] = (try? Syscall.listDirectory(parent).get()) ?? [:]
        }
        guard let type = listings[directory]![name] else { return nil }
        guard type == UInt8(DT_UNKNOWN) else { return type }
        guard case .success(let info) = Syscall.lstatat(parent, name) else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return UInt8(DT_DIR)
        case S_IFREG: return UInt8(DT_REG)
        default: return UInt8(DT_LNK)
        }
    }

    private func record(_ name: [UInt8], type: UInt8, in path: ArraySlice<[UInt8]>) {
        listings[key(path), default: [:]][name] = type
    }

    private func key(_ components: ArraySlice<[UInt8]>) -> [UInt8] {
        Array(components.joined(separator: [UInt8(ascii: "/")]))
    }

    private func chown(_ parent: Int32, _ name: [UInt8], uid: UInt32, gid: UInt32) -> String? {
        guard mayChown, uid != owner.uid || gid != owner.gid else { return nil }
        if case .failure(let code) = Syscall.fchownat(parent, name, uid: uid, gid: gid) {
            return "cannot change the owner to \(uid):\(gid): \(code.description)"
        }
        return nil
    }

    /// The descriptor of the directory at `components`, opened without following symlinks.
    private func directory(_ components: ArraySlice<[UInt8]>) -> Result<Int32, ReplayTreeError> {
        if components.isEmpty { return .success(rootFD) }
        let key = key(components)
        if let fd = directories[key] { return .success(fd) }
        let parent: Int32
        switch directory(components.dropLast()) {
        case .success(let fd): parent = fd
        case .failure(let error): return .failure(error)
        }
        switch Syscall.openat(parent, components.last!, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd):
            if directories.count >= cachedDirectoryLimit {
                for open in directories.values { Syscall.close(open) }
                directories.removeAll(keepingCapacity: true)
            }
            directories[key] = fd
            return .success(fd)
        case .failure(.noSuchFileOrDirectory):
            return .failure(.entry("parent directory \(String(decoding: key, as: UTF8.self)) does not exist"))
        case .failure(.tooManySymbolicLinkLevels), .failure(.notDirectory):
            return .failure(.entry("\(String(decoding: key, as: UTF8.self)) is not a directory (symlinks are not followed)"))
        case .failure(let code):
            return .failure(.entry("cannot open \(String(decoding: key, as: UTF8.self)): \(code.description)"))
        }
    }
}

public enum ReplayTreeError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(String, Int32)
    case entry(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code): return "\(path): cannot open the directory: \(errnoDescription(code))"
        case .entry(let message): return message
        }
    }
}
