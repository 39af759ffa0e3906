// SPDX-License-Identifier: Apache-2.0
import Glibc
import SystemPackage

/// A directory tree logplay creates entries in, confined to its root: every path is walked
/// component by component with `openat(O_NOFOLLOW)` from the root's descriptor, so a symlink
/// planted anywhere inside the tree is never followed and nothing outside the root is touched.
/// Modes are applied exactly (set again where the umask or mkdir took bits away); ownership is
/// set when it differs from the caller's and the caller may change it (root).
///
/// Whoever can write the tree can swap a node for a symlink between two calls, so no mode or
/// owner is ever changed by name: each node is opened without following links right after it
/// is created, checked to be what was created, and changed through that descriptor.
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
    /// Every directory visited by its path (normalised, components joined by `/`); the
    /// root is `root`. One lookup per entry finds both its descriptor and its listing.
    private var directories: [PathKey: Directory] = [:]
    private let root: Directory
    /// The directories whose descriptors are open (the root's aside).
    private var open: [Directory] = []
    /// Bits the umask removes from modes at creation, restored with chmod.
    private let umask: mode_t
    /// Root: may chown, and directory permissions do not keep it out.
    private let mayChown: Bool
    /// Directories created with owner rwx for a caller that is not root, because their
    /// logged mode would keep it from creating their entries; `finish` sets the logged mode.
    private var pendingModes: [(path: [UInt8], mode: UInt32, device: dev_t, inode: ino_t)] = []
    private let owner: (uid: uid_t, gid: gid_t)

    /// Directory descriptors kept open at most: the cache is emptied when it grows past
    /// this. Logs list files in any order across directories, so the limit is raised to hold
    /// every directory of a full 8 MiB log.
    private let cachedDirectoryLimit: Int

    /// Opens `directory` (which the caller chose, so a symlink naming it is followed), creating
    /// it (one level) when it is missing.
    convenience init(directory: String, kind: Kind) throws(ReplayTreeError) {
        if mkdir(directory, 0o755) != 0, errno != EEXIST { throw .cannotOpen(directory, errno) }
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(directory, errno) }
        self.init(rootFD: fd, kind: kind)
    }

    /// Opens `child` inside `directory` (which the caller chose) without following a symlink
    /// there, creating it when it is missing: `--shadow DIR` replays into `DIR/root`, and
    /// whoever can write DIR must not be able to send the replay elsewhere.
    convenience init(directory: String, child: String, kind: Kind) throws(ReplayTreeError) {
        let parent = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { throw .cannotOpen(directory + "/" + child, errno) }
        defer { Syscall.close(parent) }
        let name = Array(child.utf8)
        if case .failure(let code) = Syscall.mkdirat(parent, name, mode: 0o755), code != .fileExists {
            throw .cannotOpen(directory + "/" + child, code.rawValue)
        }
        switch Syscall.openat(parent, name, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd): self.init(rootFD: fd, kind: kind)
        case .failure(.tooManySymbolicLinkLevels), .failure(.notDirectory): throw .notADirectory(directory + "/" + child)
        case .failure(let code): throw .cannotOpen(directory + "/" + child, code.rawValue)
        }
    }

    private init(rootFD: Int32, kind: Kind) {
        self.kind = kind
        self.rootFD = rootFD
        root = Directory(fd: rootFD)
        // Safe: the limit is capped at 65536, and a few descriptors stay free for the rest.
        cachedDirectoryLimit = max(64, Int(Syscall.raiseDescriptorLimit(cap: 1 << 16)) - 64)
        umask = Syscall.currentUmask()
        mayChown = geteuid() == 0
        owner = (geteuid(), getegid())
    }

    deinit {
        for directory in open { Syscall.close(directory.fd) }
        Syscall.close(rootFD)
    }

    /// A path or name as a dictionary key, hashed as one run of bytes (an array's own hash
    /// feeds the hasher byte by byte, most of a replay's time); a slice shares the logged
    /// path's storage, so looking up a parent allocates nothing.
    private struct PathKey: Hashable {
        let bytes: ArraySlice<UInt8>

        static func == (a: PathKey, b: PathKey) -> Bool { a.bytes.elementsEqual(b.bytes) }
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    /// A directory visited: its descriptor while cached (-1 otherwise) and what it holds
    /// (name → `d_type`), read once with readdir and kept up to date with what this tree
    /// creates, so a replay over an existing tree costs one directory read per directory
    /// instead of one `stat` per entry.
    private final class Directory {
        var fd: Int32
        var listing: [PathKey: UInt8]?
        /// Made by this tree: empty when made, so it holds only what the tree created in it.
        var fresh = false

        init(fd: Int32 = -1, listing: [PathKey: UInt8]? = nil) {
            self.fd = fd
            self.listing = listing
        }
    }

    /// A normalised path's parent directory (empty for the root) and last component.
    private static func split(_ path: ArraySlice<UInt8>) -> (parent: ArraySlice<UInt8>, name: ArraySlice<UInt8>) {
        let slash = path.lastIndex(of: FamfsPath.slash)
        return (path[..<(slash ?? path.startIndex)], path[(slash.map { $0 + 1 } ?? path.startIndex)...])
    }

    /// Creates the directory at `path` (normalised, components joined by `/`).
    func makeDirectory(_ path: [UInt8], new: Bool, mode: UInt32, uid: UInt32, gid: UInt32) -> Outcome {
        let (parent, name, directory): (Int32, [UInt8], Directory)
        switch place(path, new: new, type: UInt8(DT_DIR)) {
        case .success(let value): (parent, name, directory) = value
        case .failure(let done): return done.outcome
        }
        let locksOwnerOut = !mayChown && mode & 0o300 != 0o300
        switch Syscall.mkdirat(parent, name, mode: mode_t(locksOwnerOut ? mode | 0o700 : mode)) {
        case .success:
            break
        case .failure(.fileExists):
            return judgeRace(parent, name, type: UInt8(DT_DIR))
        case .failure(let code):
            return .failed("cannot create the directory: \(code.description)")
        }
        record(Self.split(path[...]).name, type: UInt8(DT_DIR), in: directory)
        let fd: Int32
        let info: FileStatus
        switch openCreatedDirectory(parent, name) {
        case .success(let opened): (fd, info) = opened
        case .failure(let done): return done.outcome
        }
        let created = state(path[...])
        cache(fd, in: created)
        created.listing = [:]
        created.fresh = true
        if locksOwnerOut {
            pendingModes.append((path, mode, info.st_dev, info.st_ino))
        } else if let problem = setMode(fd, mode, current: info.st_mode) {
            return .failed(problem)
        }
        if let problem = chown(fd, uid: uid, gid: gid) { return .failed(problem) }
        return .created
    }

    /// The directory just made at `name`, opened without following links, with its status;
    /// anything else found there (a symlink, a file, a directory someone else moved in) was put
    /// there by another user after the mkdir and is left alone.
    private func openCreatedDirectory(_ parent: Int32, _ name: [UInt8]) -> Result<(Int32, FileStatus), Done> {
        let replaced = Done(outcome: .failed("was replaced while it was being created; left alone"))
        guard case .success(let fd) = Syscall.openat(parent, name, flags: O_RDONLY | O_DIRECTORY) else {
            return .failure(replaced)
        }
        guard case .success(let info) = Syscall.fileStatus(fd), info.st_uid == owner.uid else {
            Syscall.close(fd)
            return .failure(replaced)
        }
        return .success((fd, info))
    }

    /// Sets `mode` exactly when the node's `current` mode differs (the umask took bits, or mkdir
    /// dropped setuid/setgid).
    private func setMode(_ fd: Int32, _ mode: UInt32, current: mode_t) -> String? {
        guard current & 0o7777 != mode_t(mode) & 0o7777, case .failure(let code) = Syscall.fchmod(fd, mode: mode_t(mode)) else {
            return nil
        }
        return "cannot set mode \(String(mode, radix: 8)): \(code.description)"
    }

    /// Creates a file at `path` (normalised) with `contents` (nothing for placeholders).
    func makeFile(_ path: [UInt8], new: Bool, mode: UInt32, uid: UInt32, gid: UInt32, contents: () -> String) -> Outcome {
        let (parent, name, directory): (Int32, [UInt8], Directory)
        switch place(path, new: new, type: UInt8(DT_REG)) {
        case .success(let value): (parent, name, directory) = value
        case .failure(let done): return done.outcome
        }
        let fd: Int32
        switch Syscall.openat(parent, name, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode_t(mode)) {
        case .success(let value): fd = value
        case .failure(.fileExists): return judgeRace(parent, name, type: UInt8(DT_REG))
        case .failure(let code): return .failed("cannot create the file: \(code.description)")
        }
        record(Self.split(path[...]).name, type: UInt8(DT_REG), in: directory)
        defer { Syscall.close(fd) }
        if mode_t(mode) & umask != 0, let problem = setMode(fd, mode, current: 0) { return .failed(problem) }
        if kind == .shadow {
            var text = contents()
            let written = text.withUTF8 { Syscall.writeAll(fd, UnsafeRawBufferPointer($0)) }
            if case .failure(let code) = written { return .failed("cannot write the shadow yaml: \(code.description)") }
        }
        if let problem = chown(fd, uid: uid, gid: gid) { return .failed(problem) }
        return .created
    }

    /// Nothing to create: the node is there already, or something else is in the way.
    struct Done: Error {
        var outcome: Outcome
    }

    /// The parent's descriptor, the name and the parent directory where a node of `type` (a
    /// `d_type`) is to be created, or what to report when there is nothing to create. `new`:
    /// no earlier entry of the log had this path, so this tree never created it.
    private func place(_ path: [UInt8], new: Bool, type: UInt8) -> Result<(Int32, [UInt8], Directory), Done> {
        let (parentPath, name) = Self.split(path[...])
        let parent: (fd: Int32, directory: Directory)
        switch directory(parentPath) {
        case .success(let value): parent = value
        case .failure(let error): return .failure(Done(outcome: .failed(error.description)))
        }
        // A directory this tree created held nothing but what it created since (a node made
        // behind its back is found by the creation's EEXIST): a new path cannot be there.
        switch new && parent.directory.fresh ? nil : existing(name, in: parent.directory, fd: parent.fd) {
        case nil: return .success((parent.fd, Array(name), parent.directory))
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
    /// path and reason of each that failed. Each is reopened by its path without following
    /// links and must still be the directory created (device and inode).
    func finish() -> [(path: [UInt8], reason: String)] {
        var failures: [(path: [UInt8], reason: String)] = []
        for pending in pendingModes.reversed() {
            let fd: Int32
            switch directory(pending.path[...]) {
            case .success(let value): fd = value.fd
            case .failure(let error):
                failures.append((pending.path, error.description))
                continue
            }
            guard case .success(let info) = Syscall.fileStatus(fd), info.st_dev == pending.device, info.st_ino == pending.inode else {
                failures.append((pending.path, "was replaced after it was created; mode \(String(pending.mode, radix: 8)) not set"))
                continue
            }
            if let problem = setMode(fd, pending.mode, current: info.st_mode) { failures.append((pending.path, problem)) }
        }
        pendingModes.removeAll()
        return failures
    }

    /// The contents of a file in the tree (for re-reading shadow YAML), at most `limit` bytes.
    func read(_ path: [UInt8], limit: Int) -> Result<[UInt8], ReplayTreeError> {
        let (parentPath, name) = Self.split(path[...])
        let parent: Int32
        switch directory(parentPath) {
        case .success(let value): parent = value.fd
        case .failure(let error): return .failure(error)
        }
        // Non-blocking: a FIFO planted in place of a shadow file must not hang the replay.
        switch Syscall.openat(parent, Array(name), flags: O_RDONLY | O_NONBLOCK) {
        case .success(let fd):
            defer { Syscall.close(fd) }
            guard case .success(let info) = Syscall.fileStatus(fd), info.st_mode & S_IFMT == S_IFREG else {
                return .failure(.entry("is not a regular file"))
            }
            return Syscall.readAll(fd, limit: limit).mapError { .entry("cannot read: \($0.description)") }
        case .failure(let code):
            return .failure(.entry("cannot open: \(code.description)"))
        }
    }

    /// The `d_type` of `name` in `directory` (descriptor `fd`), nil when it is not there.
    /// Types the listing does not know are asked of lstat.
    private func existing(_ name: ArraySlice<UInt8>, in directory: Directory, fd: Int32) -> UInt8? {
        if directory.listing == nil {
            let entries = (try? Syscall.listDirectory(fd).get()) ?? []
            directory.listing = Dictionary(entries.map { (PathKey(bytes: $0.name[...]), $0.type) }, uniquingKeysWith: { first, _ in first })
        }
        guard let type = directory.listing![PathKey(bytes: name)] else { return nil }
        guard type == UInt8(DT_UNKNOWN) else { return type }
        guard case .success(let info) = Syscall.lstatat(fd, Array(name)) else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return UInt8(DT_DIR)
        case S_IFREG: return UInt8(DT_REG)
        default: return UInt8(DT_LNK)
        }
    }

    private func record(_ name: ArraySlice<UInt8>, type: UInt8, in directory: Directory) {
        directory.listing = directory.listing ?? [:]
        directory.listing![PathKey(bytes: name)] = type
    }

    /// What is known of the directory at `path` (the root for the empty path).
    private func state(_ path: ArraySlice<UInt8>) -> Directory {
        if path.isEmpty { return root }
        if let known = directories[PathKey(bytes: path)] { return known }
        let directory = Directory()
        directories[PathKey(bytes: path)] = directory
        return directory
    }

    private func chown(_ fd: Int32, uid: UInt32, gid: UInt32) -> String? {
        guard mayChown, uid != owner.uid || gid != owner.gid, case .failure(let code) = Syscall.fchown(fd, uid: uid, gid: gid) else {
            return nil
        }
        return "cannot change the owner to \(uid):\(gid): \(code.description)"
    }

    /// Keeps `fd` as the descriptor of `directory`, closing every cached one when the cache is full.
    private func cache(_ fd: Int32, in directory: Directory) {
        if open.count >= cachedDirectoryLimit {
            for cached in open {
                Syscall.close(cached.fd)
                cached.fd = -1
            }
            open.removeAll(keepingCapacity: true)
        }
        if directory.fd >= 0 {
            Syscall.close(directory.fd)
        } else {
            open.append(directory)
        }
        directory.fd = fd
    }

    /// The descriptor of the directory at `path` (normalised; the root when empty), opened
    /// without following symlinks, and what is known of it.
    private func directory(_ path: ArraySlice<UInt8>) -> Result<(fd: Int32, directory: Directory), ReplayTreeError> {
        let directory = state(path)
        if directory.fd >= 0 { return .success((directory.fd, directory)) }
        let (parentPath, name) = Self.split(path)
        let parent: Int32
        switch self.directory(parentPath) {
        case .success(let value): parent = value.fd
        case .failure(let error): return .failure(error)
        }
        let shown = String(decoding: path, as: UTF8.self)
        // One step of the shared O_NOFOLLOW walk; the steps above it come from the cache.
        switch Syscall.openBeneath(parent, [Array(name)], flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd):
            cache(fd, in: directory)
            return .success((fd, directory))
        case .failure(let stop) where stop.errno == .noSuchFileOrDirectory:
            return .failure(.entry("parent directory \(shown) does not exist"))
        case .failure(let stop) where stop.isSymlink || stop.errno == .notDirectory:
            return .failure(.entry("\(shown) is not a directory (symlinks are not followed)"))
        case .failure(let stop):
            return .failure(.entry("cannot open \(shown): \(stop.errno.description)"))
        }
    }
}

public enum ReplayTreeError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(String, Int32)
    /// The path is a symlink or not a directory.
    case notADirectory(String)
    case entry(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code): return "\(path): cannot open the directory: \(errnoDescription(code))"
        case .notADirectory(let path): return "\(path): not a directory (symlinks are not followed)"
        case .entry(let message): return message
        }
    }
}
