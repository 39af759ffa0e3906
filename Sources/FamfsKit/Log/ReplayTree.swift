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
    /// Every directory the log defines, by its namespace record number (`Namespace.Place`):
    /// an entry finds its parent by an index, without hashing its path. Filled in when
    /// `makeDirectory` meets the directory's entry, which comes before any entry inside it.
    ///
    /// The tree's state is touched by one call at a time, never across a call that could
    /// reenter it: its per-entry fields are exempt from the run-time exclusivity check, which
    /// cost a tenth of a full log's replay.
    @exclusivity(unchecked) private var directories: [Directory?] = []
    /// By record number: whether this tree created the node (so it is there, of its kind).
    @exclusivity(unchecked) private var made: [Bool] = []
    private let root: Directory
    /// The directories whose descriptors are open (the root's aside).
    private var open: [Directory] = []
    /// Bits the umask removes from modes at creation, restored with chmod.
    private let umask: mode_t
    /// Root: may chown, and directory permissions do not keep it out.
    private let mayChown: Bool
    /// Directories created with owner rwx for a caller that is not root, because their
    /// logged mode would keep it from creating their entries; `finish` sets the logged mode.
    private var pendingModes: [(directory: Directory, mode: UInt32, device: dev_t, inode: ino_t)] = []
    private let owner: (uid: uid_t, gid: gid_t)

    /// Where each shadow YAML document is written before it goes to its file: one buffer for
    /// all, room for the longest a valid entry makes.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: ShadowYAML.longest, alignment: 16)

    /// Directory descriptors kept open at most: the cache is emptied when it grows past
    /// this. Logs list files in any order across directories, so the limit is raised to hold
    /// every directory of a full 8 MiB log.
    private let cachedDirectoryLimit: Int

    /// Opens `directory` (which the caller chose, so a symlink naming it is followed), creating
    /// it (one level) when it is missing.
    /// `cachedDirectories` overrides the descriptor cache's limit (tests make it small).
    convenience init(directory: String, kind: Kind, cachedDirectories: Int? = nil) throws(ReplayTreeError) {
        if mkdir(directory, 0o755) != 0, errno != EEXIST { throw .cannotOpen(directory, errno) }
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(directory, errno) }
        self.init(rootFD: fd, kind: kind, cachedDirectories: cachedDirectories)
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

    private init(rootFD: Int32, kind: Kind, cachedDirectories: Int? = nil) {
        self.kind = kind
        self.rootFD = rootFD
        root = Directory(fd: rootFD, parent: nil, name: [])
        // Safe: the limit is capped at 65536, and a few descriptors stay free for the rest.
        cachedDirectoryLimit = cachedDirectories ?? max(64, Int(Syscall.raiseDescriptorLimit(cap: 1 << 16)) - 64)
        umask = Syscall.currentUmask()
        mayChown = geteuid() == 0
        owner = (geteuid(), getegid())
    }

    deinit {
        for directory in open { Syscall.close(directory.fd) }
        Syscall.close(rootFD)
        scratch.deallocate()
    }

    /// What a directory held, read once with readdir. A name is looked up in place, in the
    /// logged path, by its bytes hashed as one run (an array's own hash feeds the hasher byte
    /// by byte), with no array of its own.
    private struct Listing {
        let entries: [FamctlPlatform.DirectoryEntry]
        /// By the hash of a name, its first entry in readdir order; `next` links each entry
        /// to the next one of the same hash (-1 at the end), so a repeated name finds its
        /// first entry and names that share a hash are told apart.
        let first: [Int: Int]
        let next: [Int]

        init(_ entries: [FamctlPlatform.DirectoryEntry]) {
            var first: [Int: Int] = [:]
            first.reserveCapacity(entries.count)
            var next = [Int](repeating: -1, count: entries.count)
            for index in entries.indices.reversed() {
                let hash = entries[index].name.withUnsafeBytes { Self.hash($0) }
                next[index] = first[hash] ?? -1
                first[hash] = index
            }
            (self.entries, self.first, self.next) = (entries, first, next)
        }

        private static func hash(_ name: UnsafeRawBufferPointer) -> Int {
            var hasher = Hasher()
            hasher.combine(bytes: name)
            return hasher.finalize()
        }

        /// The `d_type` listed for `name`, nil when it is not there.
        func type(of name: UnsafeRawBufferPointer) -> UInt8? {
            var index = first[Self.hash(name)] ?? -1
            while index >= 0 {
                if entries[index].name.elementsEqual(name) { return entries[index].type }
                index = next[index]
            }
            return nil
        }
    }

    /// A directory of the log: its descriptor while cached (-1 otherwise), where it is (its
    /// parent, nil for the root, and its name there), and, for one this tree did not create,
    /// what it held (a `Listing`), read once with readdir, so a replay over an existing tree
    /// costs one directory read per directory instead of one `stat` per entry.
    private final class Directory {
        @exclusivity(unchecked) var fd: Int32
        let parent: Directory?
        let name: [UInt8]
        @exclusivity(unchecked) var listing: Listing?
        /// Made by this tree: empty when made, so it holds only what `made` says the tree
        /// created in it.
        @exclusivity(unchecked) var fresh = false

        init(fd: Int32 = -1, parent: Directory?, name: [UInt8]) {
            self.fd = fd
            self.parent = parent
            self.name = name
        }

        /// The normalised path, components joined by `/` (empty for the root), for messages.
        var path: [UInt8] {
            guard let parent else { return [] }
            let above = parent.path
            return above.isEmpty ? name : above + [FamfsPath.slash] + name
        }
    }

    /// A normalised path's last component, in place.
    private static func name(_ path: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: path[(path.lastIndex(of: FamfsPath.slash).map { $0 + 1 } ?? 0)...])
    }

    /// What is known of the directory `record` (the root for nil). Safe: every directory the
    /// namespace accepted was handed to `makeDirectory` before any entry inside it.
    private func known(_ record: Int?) -> Directory {
        record.map { directories[$0]! } ?? root
    }

    /// Makes `record` a valid index of `directories` and `made`, doubling them as needed.
    private func grow(to record: Int) {
        guard record >= made.count else { return }
        let more = max(record + 1, 2 * made.count) - made.count
        made.append(contentsOf: repeatElement(false, count: more))
        directories.append(contentsOf: repeatElement(nil, count: more))
    }

    /// Creates the directory at `path` (normalised, components joined by `/`), accepted by
    /// the namespace at `place`.
    func makeDirectory(_ path: UnsafeRawBufferPointer, at place: Namespace.Place, new: Bool, mode: UInt32, uid: UInt32, gid: UInt32) -> Outcome {
        grow(to: place.record)
        let name = Self.name(path)
        let directory: Directory
        if let existing = directories[place.record] {
            directory = existing
        } else {
            directory = Directory(parent: known(place.parent), name: Array(name))
            directories[place.record] = directory
        }
        return Syscall.withCName(name) { cName in
            let parent: Int32
            switch self.place(name, cName, at: place, new: new, type: UInt8(DT_DIR)) {
            case .success(let fd): parent = fd
            case .failure(let done): return done.outcome
            }
            let locksOwnerOut = !mayChown && mode & 0o300 != 0o300
            switch Syscall.mkdirat(parent, cName, mode: mode_t(locksOwnerOut ? mode | 0o700 : mode)) {
            case .success:
                break
            case .failure(.fileExists):
                return judgeRace(parent, cName, type: UInt8(DT_DIR))
            case .failure(let code):
                return .failed("cannot create the directory: \(code.description)")
            }
            made[place.record] = true
            let fd: Int32
            let info: FileStatus
            switch openCreatedDirectory(parent, cName) {
            case .success(let opened): (fd, info) = opened
            case .failure(let done): return done.outcome
            }
            cache(fd, in: directory)
            directory.listing = nil
            directory.fresh = true
            if locksOwnerOut {
                pendingModes.append((directory, mode, info.st_dev, info.st_ino))
            } else if let problem = setMode(fd, mode, current: info.st_mode) {
                return .failed(problem)
            }
            if let problem = chown(fd, uid: uid, gid: gid) { return .failed(problem) }
            return .created
        }
    }

    /// The directory just made at `name`, opened without following links, with its status;
    /// anything else found there (a symlink, a file, a directory someone else moved in) was put
    /// there by another user after the mkdir and is left alone.
    private func openCreatedDirectory(_ parent: Int32, _ name: UnsafePointer<CChar>) -> Result<(Int32, FileStatus), Done> {
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

    /// Creates a file at `path` (normalised), accepted by the namespace at `place`, with
    /// `contents` (nothing for placeholders): it writes a shadow document at the memory it is
    /// given (`ShadowYAML.longest` bytes) and returns its length.
    func makeFile(_ path: UnsafeRawBufferPointer, at place: Namespace.Place, new: Bool, mode: UInt32, uid: UInt32, gid: UInt32,
                  contents: (UnsafeMutableRawBufferPointer) -> Int) -> Outcome {
        grow(to: place.record)
        let name = Self.name(path)
        return Syscall.withCName(name) { cName in
            let parent: Int32
            switch self.place(name, cName, at: place, new: new, type: UInt8(DT_REG)) {
            case .success(let fd): parent = fd
            case .failure(let done): return done.outcome
            }
            // A placeholder whose mode and owner creation gets right needs no descriptor.
            // (open keeps only the permission bits of a mode; so does the mask here, which
            // keeps a hostile logged mode from asking mknod for another type of node.)
            if kind == .placeholders, mode_t(mode) & umask == 0, !changesOwner(uid: uid, gid: gid) {
                switch Syscall.mknodat(parent, cName, mode: S_IFREG | mode_t(mode) & 0o7777) {
                case .success:
                    made[place.record] = true
                    return .created
                case .failure(.fileExists): return judgeRace(parent, cName, type: UInt8(DT_REG))
                case .failure(let code): return .failed("cannot create the file: \(code.description)")
                }
            }
            let fd: Int32
            switch Syscall.openat(parent, cName, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode_t(mode)) {
            case .success(let value): fd = value
            case .failure(.fileExists): return judgeRace(parent, cName, type: UInt8(DT_REG))
            case .failure(let code): return .failed("cannot create the file: \(code.description)")
            }
            made[place.record] = true
            defer { Syscall.close(fd) }
            if mode_t(mode) & umask != 0, let problem = setMode(fd, mode, current: 0) { return .failed(problem) }
            if kind == .shadow {
                let length = contents(scratch)
                let written = Syscall.writeAll(fd, UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
                if case .failure(let code) = written { return .failed("cannot write the shadow yaml: \(code.description)") }
            }
            if let problem = chown(fd, uid: uid, gid: gid) { return .failed(problem) }
            return .created
        }
    }

    /// Nothing to create: the node is there already, or something else is in the way.
    struct Done: Error {
        var outcome: Outcome
    }

    /// The descriptor of the parent directory where a node of `type` (a `d_type`) named
    /// `name` (`cName` NUL-terminated) is to be created, or what to report when there is
    /// nothing to create. `new`: no earlier entry of the log had this path, so this tree
    /// never created it.
    private func place(_ name: UnsafeRawBufferPointer, _ cName: UnsafePointer<CChar>, at place: Namespace.Place, new: Bool,
                       type: UInt8) -> Result<Int32, Done> {
        let parent = known(place.parent)
        let fd: Int32
        switch descriptor(parent) {
        case .success(let value): fd = value
        case .failure(let error): return .failure(Done(outcome: .failed(error.description)))
        }
        // A node this tree created is there (one made behind its back since is found by the
        // creation's EEXIST), and a directory it created held nothing but what it created.
        let found: UInt8?
        if made[place.record] {
            found = type
        } else if parent.fresh {
            found = nil
        } else {
            found = existing(name, cName, in: parent, fd: fd)
        }
        switch found {
        case nil: return .success(fd)
        case type?: return .failure(Done(outcome: .existed))
        default: return .failure(Done(outcome: .failed(Self.inTheWay(type))))
        }
    }

    /// A node created behind the listing's back (another replay running): judged as found.
    private func judgeRace(_ parent: Int32, _ name: UnsafePointer<CChar>, type: UInt8) -> Outcome {
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
            switch descriptor(pending.directory) {
            case .success(let value): fd = value
            case .failure(let error):
                failures.append((pending.directory.path, error.description))
                continue
            }
            guard case .success(let info) = Syscall.fileStatus(fd), info.st_dev == pending.device, info.st_ino == pending.inode else {
                failures.append((pending.directory.path, "was replaced after it was created; mode \(String(pending.mode, radix: 8)) not set"))
                continue
            }
            if let problem = setMode(fd, pending.mode, current: info.st_mode) { failures.append((pending.directory.path, problem)) }
        }
        pendingModes.removeAll()
        return failures
    }

    /// The contents of the file at `path` (normalised, at `place`) in the tree (for
    /// re-reading shadow YAML), at most `limit` bytes.
    func read(_ path: UnsafeRawBufferPointer, at place: Namespace.Place, limit: Int) -> Result<[UInt8], ReplayTreeError> {
        let parent: Int32
        switch descriptor(known(place.parent)) {
        case .success(let value): parent = value
        case .failure(let error): return .failure(error)
        }
        // Non-blocking: a FIFO planted in place of a shadow file must not hang the replay.
        switch Syscall.withCName(Self.name(path), { Syscall.openat(parent, $0, flags: O_RDONLY | O_NONBLOCK) }) {
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
    private func existing(_ name: UnsafeRawBufferPointer, _ cName: UnsafePointer<CChar>, in directory: Directory, fd: Int32) -> UInt8? {
        if directory.listing == nil {
            let entries = (try? Syscall.listDirectory(fd).get()) ?? []
            directory.listing = Listing(entries)
        }
        guard let type = directory.listing!.type(of: name) else { return nil }
        guard type == UInt8(DT_UNKNOWN) else { return type }
        guard case .success(let info) = Syscall.lstatat(fd, cName) else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return UInt8(DT_DIR)
        case S_IFREG: return UInt8(DT_REG)
        default: return UInt8(DT_LNK)
        }
    }

    /// Whether a node logged with `uid` and `gid` is given them after its creation.
    private func changesOwner(uid: UInt32, gid: UInt32) -> Bool {
        mayChown && (uid != owner.uid || gid != owner.gid)
    }

    private func chown(_ fd: Int32, uid: UInt32, gid: UInt32) -> String? {
        guard changesOwner(uid: uid, gid: gid), case .failure(let code) = Syscall.fchown(fd, uid: uid, gid: gid) else {
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

    /// The descriptor of `directory`, opened without following symlinks from its parent's.
    private func descriptor(_ directory: Directory) -> Result<Int32, ReplayTreeError> {
        if directory.fd >= 0 { return .success(directory.fd) }
        // Safe: the root's descriptor stays open for the tree's life.
        let parent: Int32
        switch descriptor(directory.parent!) {
        case .success(let value): parent = value
        case .failure(let error): return .failure(error)
        }
        // One step of the shared O_NOFOLLOW walk; the steps above it come from the cache.
        switch Syscall.openBeneath(parent, [directory.name], flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd):
            cache(fd, in: directory)
            return .success(fd)
        case .failure(let stop):
            let shown = String(decoding: directory.path, as: UTF8.self)
            if stop.errno == .noSuchFileOrDirectory { return .failure(.entry("parent directory \(shown) does not exist")) }
            if stop.isSymlink || stop.errno == .notDirectory {
                return .failure(.entry("\(shown) is not a directory (symlinks are not followed)"))
            }
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
