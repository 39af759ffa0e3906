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
        /// A file to be made by a flush, under this ticket (how many files were queued
        /// before it): its outcome comes from `takeOutcomes`.
        case queued(Int)
    }

    let kind: Kind
    private let rootFD: Int32
    /// The root, then every directory the log defines, by its `DirectoryID`: an entry finds
    /// its parent by an index, without hashing its path. Filled in when `makeDirectory` meets
    /// the directory's entry, which comes before any entry inside it.
    ///
    /// The tree's state is touched by one call at a time, never across a call that could
    /// reenter it: its per-entry fields are exempt from the run-time exclusivity check, which
    /// cost a tenth of a full log's replay.
    @exclusivity(unchecked) private var directories: [Directory?]
    /// What every entry reads of its parent, by `DirectoryID`, apart from the rest (a copy
    /// of a `Directory` counts references to its name and listing; objects cost as much):
    /// its descriptor while cached, -1 otherwise; whether this tree made it, empty, so that
    /// it holds only what `made` says the tree created in it.
    @exclusivity(unchecked) private var descriptors: [Int32]
    @exclusivity(unchecked) private var fresh: [Bool] = [false]
    /// By record number: whether this tree created the node (so it is there, of its kind).
    @exclusivity(unchecked) private var made: [Bool] = []
    /// The directories whose descriptors are open (the root's aside).
    @exclusivity(unchecked) private var open: [DirectoryID] = []
    /// The files to make that need a descriptor (every shadow file, and a placeholder whose
    /// mode or owner is set after its creation), in log order. Made together, with nothing
    /// between their system calls but a short loop, they take 5 to 8 % less user CPU in a
    /// full log's --shadow replay than made one at a time between the entries' checks, whose
    /// code and data the kernel's work on each call pushes out of the caches; and their
    /// descriptors are consecutive, so one close_range closes a flush's files. The queue is
    /// flushed when it holds `queueLimit` files, before a directory is made or opened (the
    /// descriptor cache may close a queued file's parent) and by `flush`, `read` and
    /// `finish`. A caller that takes the outcomes after each call has at most
    /// `queueLimit + 1` tickets outstanding.
    @exclusivity(unchecked) private var queue: [QueuedFile] = []
    @exclusivity(unchecked) private var tickets = 0
    /// Files queued at most: `batch`, or 1 for a caller that wants each outcome at once.
    let queueLimit: Int
    static let batch = 64
    /// By queue position: each file's shadow document (`ShadowYAML.longest` bytes) and
    /// NUL-terminated name (`LogEntry.pathFieldSize` bytes).
    private let documents: UnsafeMutableRawBufferPointer
    private let names: UnsafeMutablePointer<CChar>
    /// The outcomes of the files flushed, with their tickets, until `takeOutcomes`.
    @exclusivity(unchecked) private var outcomes: [(ticket: Int, outcome: Outcome)] = []
    /// The descriptors of the files a flush made, closed at its end (`Syscall.close(_:)`: the
    /// kernel hands out the lowest free descriptor, so those of files made one after another
    /// are consecutive, and make one run).
    @exclusivity(unchecked) private var madeDescriptors: [Int32] = []

    private struct QueuedFile {
        let ticket: Int
        let parent: Int32
        let record: Int
        let mode: UInt32
        let uid: UInt32
        let gid: UInt32
        /// The length of its document (shadow files).
        let length: Int
    }
    /// Bits the umask removes from modes at creation, restored with chmod.
    private let umask: mode_t
    /// Root: may chown, and directory permissions do not keep it out.
    private let mayChown: Bool
    /// Directories created with owner rwx for a caller that is not root, because their
    /// logged mode would keep it from creating their entries; `finish` sets the logged mode.
    private var pendingModes: [(directory: DirectoryID, mode: UInt32, device: dev_t, inode: ino_t)] = []
    private let owner: (uid: uid_t, gid: gid_t)

    /// The name of the node being made, NUL-terminated for the system calls: one buffer for
    /// all, room for the longest a log entry holds. (A temporary buffer per node needed a
    /// closure, whose context counted a reference to the tree twice per file.)
    private let cName = UnsafeMutablePointer<CChar>.allocate(capacity: LogEntry.pathFieldSize)

    /// Directory descriptors kept open at most: the cache is emptied when it grows past
    /// this. Logs list files in any order across directories, so the limit is raised to hold
    /// every directory of a full 8 MiB log, less the files a flush holds open.
    private let cachedDirectoryLimit: Int

    /// Opens `directory` (which the caller chose, so a symlink naming it is followed), creating
    /// it (one level) when it is missing. Without `batching`, each file is made by the call
    /// that queues it. `cachedDirectories` overrides the descriptor cache's limit (tests make
    /// it small).
    convenience init(directory: String, kind: Kind, batching: Bool = true, cachedDirectories: Int? = nil) throws(ReplayTreeError) {
        if mkdir(directory, 0o755) != 0, errno != EEXIST { throw .cannotOpen(directory, errno) }
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(directory, errno) }
        self.init(rootFD: fd, kind: kind, batching: batching, cachedDirectories: cachedDirectories)
    }

    /// Opens `child` inside `directory` (which the caller chose) without following a symlink
    /// there, creating it when it is missing: `--shadow DIR` replays into `DIR/root`, and
    /// whoever can write DIR must not be able to send the replay elsewhere.
    convenience init(directory: String, child: String, kind: Kind, batching: Bool = true) throws(ReplayTreeError) {
        let parent = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { throw .cannotOpen(directory + "/" + child, errno) }
        defer { Syscall.close(parent) }
        let name = Array(child.utf8)
        if case .failure(let code) = Syscall.mkdirat(parent, name, mode: 0o755), code != .fileExists {
            throw .cannotOpen(directory + "/" + child, code.rawValue)
        }
        switch Syscall.openat(parent, name, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd): self.init(rootFD: fd, kind: kind, batching: batching)
        case .failure(.tooManySymbolicLinkLevels), .failure(.notDirectory): throw .notADirectory(directory + "/" + child)
        case .failure(let code): throw .cannotOpen(directory + "/" + child, code.rawValue)
        }
    }

    private init(rootFD: Int32, kind: Kind, batching: Bool, cachedDirectories: Int? = nil) {
        self.kind = kind
        self.rootFD = rootFD
        queueLimit = batching ? Self.batch : 1
        queue.reserveCapacity(queueLimit)
        documents = .allocate(byteCount: kind == .shadow ? queueLimit * ShadowYAML.longest : 0, alignment: 16)
        names = .allocate(capacity: queueLimit * LogEntry.pathFieldSize)
        directories = [Directory(parent: Self.rootID, name: [])]
        descriptors = [rootFD]
        // Safe: the limit is capped at 65536, and a few descriptors stay free for the rest.
        cachedDirectoryLimit = cachedDirectories
            ?? max(64, Int(Syscall.raiseDescriptorLimit(cap: 1 << 16)) - 64 - Self.batch)
        umask = Syscall.currentUmask()
        mayChown = geteuid() == 0
        owner = (geteuid(), getegid())
    }

    deinit {
        Syscall.close(open.map { descriptors[$0] } + [rootFD])
        documents.deallocate()
        names.deallocate()
        cName.deallocate()
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

    /// A directory's index in `directories`: `rootID` for the root, its namespace record
    /// number + 1 for the others.
    private typealias DirectoryID = Int
    private static let rootID: DirectoryID = 0

    /// The directory of namespace record `record` (the root for nil).
    private static func id(_ record: Int?) -> DirectoryID {
        record.map { $0 + 1 } ?? rootID
    }

    /// A directory of the log: where it is (its parent, itself for the root, and its name
    /// there), and, for one this tree did not create, what it held (a `Listing`), read once
    /// with readdir, so a replay over an existing tree costs one directory read per
    /// directory instead of one `stat` per entry.
    private struct Directory {
        let parent: DirectoryID
        let name: [UInt8]
        var listing: Listing?

        /// The `d_type` listed for `name`, nil when it is not there; the listing is read from
        /// `fd`, the directory's descriptor, the first time. In place: a copy of the listing
        /// counted references to its arrays for every entry of a replay over an existing tree.
        mutating func listedType(of name: UnsafeRawBufferPointer, fd: Int32) -> UInt8? {
            if listing == nil { listing = Listing((try? Syscall.listDirectory(fd).get()) ?? []) }
            return listing!.type(of: name)
        }
    }

    /// The normalised path of directory `id`, components joined by `/` (empty for the
    /// root), for messages.
    private func path(_ id: DirectoryID) -> [UInt8] {
        guard id != Self.rootID else { return [] }
        // Safe: only the directories the namespace accepted get an id.
        let directory = directories[id]!
        let above = path(directory.parent)
        return above.isEmpty ? directory.name : above + [FamfsPath.slash] + directory.name
    }

    /// `name` NUL-terminated in `cName`; nil when it is longer than a log entry holds.
    private func terminated(_ name: UnsafeRawBufferPointer) -> UnsafePointer<CChar>? {
        guard name.count < LogEntry.pathFieldSize else { return nil }
        UnsafeMutableRawBufferPointer(start: cName, count: name.count).copyMemory(from: name)
        cName[name.count] = 0
        return UnsafePointer(cName)
    }

    /// A normalised path's last component, in place.
    private static func name(_ path: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: path[(path.lastIndex(of: FamfsPath.slash).map { $0 + 1 } ?? 0)...])
    }

    /// Makes `record` a valid index of `made` (and its directory one of `directories`),
    /// doubling them as needed.
    private func grow(to record: Int) {
        guard record >= made.count else { return }
        let more = max(record + 1, 2 * made.count) - made.count
        made.append(contentsOf: repeatElement(false, count: more))
        directories.append(contentsOf: repeatElement(nil, count: more))
        descriptors.append(contentsOf: repeatElement(-1, count: more))
        fresh.append(contentsOf: repeatElement(false, count: more))
    }

    /// Creates the directory at `path` (normalised, components joined by `/`), accepted by
    /// the namespace at `place`.
    func makeDirectory(_ path: UnsafeRawBufferPointer, at place: Namespace.Place, new: Bool, mode: UInt32, uid: UInt32, gid: UInt32) -> Outcome {
        flush()
        grow(to: place.record)
        let name = Self.name(path)
        let id = Self.id(place.record)
        if directories[id] == nil { directories[id] = Directory(parent: Self.id(place.parent), name: Array(name)) }
        guard let cName = terminated(name) else { return .failed("name longer than a log entry holds") }
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
        cache(fd, in: id)
        directories[id]!.listing = nil
        fresh[id] = true
        if locksOwnerOut {
            pendingModes.append((id, mode, info.st_dev, info.st_ino))
        } else if let problem = setMode(fd, mode, current: info.st_mode) {
            return .failed(problem)
        }
        if let problem = chown(fd, uid: uid, gid: gid) { return .failed(problem) }
        return .created
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
    /// given (`ShadowYAML.longest` bytes) and returns its length. A file that needs a
    /// descriptor is queued (`.queued`): the document is written now, the file when the
    /// queue is flushed.
    func makeFile(_ path: UnsafeRawBufferPointer, at place: Namespace.Place, new: Bool, mode: UInt32, uid: UInt32, gid: UInt32,
                  contents: (UnsafeMutableRawBufferPointer) -> Int) -> Outcome {
        grow(to: place.record)
        let name = Self.name(path)
        guard let cName = terminated(name) else { return .failed("name longer than a log entry holds") }
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
        let position = queue.count
        let length = kind == .shadow ? contents(document(position)) : 0
        (names + position * LogEntry.pathFieldSize).update(from: cName, count: name.count + 1)
        let ticket = tickets
        tickets += 1
        queue.append(QueuedFile(ticket: ticket, parent: parent, record: place.record, mode: mode, uid: uid, gid: gid, length: length))
        if queue.count == queueLimit { flush() }
        return .queued(ticket)
    }

    /// The memory of the document of the file at `position` of the queue.
    private func document(_ position: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: documents[position * ShadowYAML.longest..<(position + 1) * ShadowYAML.longest])
    }

    /// Makes the queued files, in order; their outcomes wait for `takeOutcomes`.
    func flush() {
        guard !queue.isEmpty else { return }
        for position in queue.indices { outcomes.append((queue[position].ticket, make(queue[position], at: position))) }
        queue.removeAll(keepingCapacity: true)
        Syscall.close(madeDescriptors)
        madeDescriptors.removeAll(keepingCapacity: true)
    }

    /// Hands over the outcomes of the files flushed since the last call, in log order, each
    /// with the ticket `makeFile` queued it under.
    func takeOutcomes(_ body: (_ ticket: Int, Outcome) -> Void) {
        guard !outcomes.isEmpty else { return }
        for (ticket, outcome) in outcomes { body(ticket, outcome) }
        outcomes.removeAll(keepingCapacity: true)
    }

    /// Creates the queued `file` (at `position`), with its document for a shadow file.
    private func make(_ file: QueuedFile, at position: Int) -> Outcome {
        let name = names + position * LogEntry.pathFieldSize
        let fd: Int32
        switch Syscall.openat(file.parent, name, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode_t(file.mode)) {
        case .success(let value): fd = value
        case .failure(.fileExists): return judgeRace(file.parent, name, type: UInt8(DT_REG))
        case .failure(let code): return .failed("cannot create the file: \(code.description)")
        }
        made[file.record] = true
        madeDescriptors.append(fd)
        if mode_t(file.mode) & umask != 0, let problem = setMode(fd, file.mode, current: 0) { return .failed(problem) }
        if kind == .shadow {
            let written = Syscall.writeAll(fd, UnsafeRawBufferPointer(rebasing: document(position)[0..<file.length]))
            if case .failure(let code) = written { return .failed("cannot write the shadow yaml: \(code.description)") }
        }
        if let problem = chown(fd, uid: file.uid, gid: file.gid) { return .failed(problem) }
        return .created
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
        let parent = Self.id(place.parent)
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
        } else if fresh[parent] {
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

    /// Makes the queued files, then gives the directories created open their logged modes,
    /// innermost first; returns the path and reason of each that failed. Each is reopened by
    /// its path without following links and must still be the directory created (device and
    /// inode).
    func finish() -> [(path: [UInt8], reason: String)] {
        flush()
        var failures: [(path: [UInt8], reason: String)] = []
        for pending in pendingModes.reversed() {
            let fd: Int32
            switch descriptor(pending.directory) {
            case .success(let value): fd = value
            case .failure(let error):
                failures.append((path(pending.directory), error.description))
                continue
            }
            guard case .success(let info) = Syscall.fileStatus(fd), info.st_dev == pending.device, info.st_ino == pending.inode else {
                failures.append((path(pending.directory), "was replaced after it was created; mode \(String(pending.mode, radix: 8)) not set"))
                continue
            }
            if let problem = setMode(fd, pending.mode, current: info.st_mode) { failures.append((path(pending.directory), problem)) }
        }
        pendingModes.removeAll()
        return failures
    }

    /// The contents of the file at `path` (normalised, at `place`) in the tree (for
    /// re-reading shadow YAML), at most `limit` bytes.
    func read(_ path: UnsafeRawBufferPointer, at place: Namespace.Place, limit: Int) -> Result<[UInt8], ReplayTreeError> {
        flush()
        let parent: Int32
        switch descriptor(Self.id(place.parent)) {
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
    private func existing(_ name: UnsafeRawBufferPointer, _ cName: UnsafePointer<CChar>, in directory: DirectoryID, fd: Int32) -> UInt8? {
        guard let type = directories[directory]!.listedType(of: name, fd: fd) else { return nil }
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
    private func cache(_ fd: Int32, in directory: DirectoryID) {
        if open.count >= cachedDirectoryLimit {
            Syscall.close(open.map { descriptors[$0] })
            for cached in open { descriptors[cached] = -1 }
            open.removeAll(keepingCapacity: true)
        }
        if descriptors[directory] >= 0 {
            Syscall.close(descriptors[directory])
        } else {
            open.append(directory)
        }
        descriptors[directory] = fd
    }

    /// The descriptor of `directory`, opened without following symlinks from its parent's.
    private func descriptor(_ directory: DirectoryID) -> Result<Int32, ReplayTreeError> {
        let cached = descriptors[directory]
        if cached >= 0 { return .success(cached) }
        flush()
        // Safe: the root's descriptor stays open for the tree's life, so this is another
        // directory, which the namespace accepted.
        let (above, name) = (directories[directory]!.parent, directories[directory]!.name)
        let parent: Int32
        switch descriptor(above) {
        case .success(let value): parent = value
        case .failure(let error): return .failure(error)
        }
        // One step of the shared O_NOFOLLOW walk; the steps above it come from the cache.
        switch Syscall.openBeneath(parent, [name], flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd):
            cache(fd, in: directory)
            return .success(fd)
        case .failure(let stop):
            let shown = String(decoding: path(directory), as: UTF8.self)
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
