// SPDX-License-Identifier: Apache-2.0
import CFamfs
import Glibc

/// Which paths a log defines, as directories or files: the log replayed in memory by the
/// rules logplay applies to a real tree (section 12 of the format spec). It is the one
/// namespace check: writers consult it to refuse duplicates and missing parents before they
/// append, logplay skips what it refuses, and fsck reports what it refuses, so a log that
/// logplay would not replay never passes fsck.
///
/// fsck runs it over every entry of a full log, so paths live in one byte arena with an
/// open-addressing table over it: no allocation per entry, and a logged path that is
/// already normal is hashed and compared in place.
public struct Namespace: Sendable {
    public enum Node: Equatable, Sendable {
        case directory
        case file(size: UInt64)
    }

    /// What replaying one entry did.
    public enum Outcome: Equatable, Sendable {
        case created
        /// The path already exists with the same kind (a later duplicate is harmless).
        case existed
        /// The path exists as the other kind.
        case conflict(Node)
        case missingParent([UInt8])
        case parentNotDirectory([UInt8])
        case invalidPath(LoggedPathProblem)

        /// Why the entry is refused, for one line of fsck's or logplay's report; nil when it
        /// was accepted.
        public var problem: String? {
            switch self {
            case .created, .existed: return nil
            case .conflict(.directory): return "exists as a directory"
            case .conflict(.file): return "exists as a file"
            case .missingParent(let parent): return "parent directory \(FamfsPath.escaped(parent)) does not exist"
            case .parentNotDirectory(let parent): return "parent \(FamfsPath.escaped(parent)) is a file, not a directory"
            case .invalidPath(let problem): return problem.description
            }
        }
    }

    private var storage = PathTable(capacity: 32)

    public init() {}

    /// Replays the valid FILE and MKDIR entries of a scan, in log order.
    public init(scan: LogScan) {
        reserve(scan.entries.count)
        for entry in scan.entries { apply(entry.body) }
    }

    /// Makes room for `count` paths without growing.
    mutating func reserve(_ count: Int) {
        if count > storage.capacity { storage = storage.copy(capacity: count) }
    }

    public var count: Int { storage.count }

    /// The node at a normalised path (components joined by `/`); the root is a directory.
    public func node(at path: [UInt8]) -> Node? {
        guard !path.isEmpty else { return .directory }
        return path.withUnsafeBytes { storage.find($0, hash: storage.hash($0)).map { storage.node($0) } }
    }

    /// Replays one entry; entries without a path (ADD_DAXDEV, unknown types) change nothing
    /// and report `.existed`.
    @discardableResult
    public mutating func apply(_ body: LogEntry.Body) -> Outcome {
        switch body {
        case .file(let file): return file.path.withUnsafeBytes { add($0, size: file.size) }
        case .directory(let directory): return directory.path.withUnsafeBytes { add($0, size: PathTable.directory) }
        case .addDaxdev, .other: return .existed
        }
    }

    /// What one pass over a logged path finds: whether any byte is outside printable ASCII
    /// (only then is the byte rule checked in full), whether the path is normal (relative, no
    /// empty, `.` or `..` component), and the hashing states of the path and of its parent.
    /// It needs no table (the table's seed is applied later), so fsck computes it on the
    /// parallel CRC workers and the main thread only looks the path up.
    struct LoggedPath {
        /// The logged path without its NUL, in place.
        let bytes: UnsafeRawBufferPointer
        let state: UInt64
        /// The bytes before the last slash and their state; nil for a top-level path.
        let parent: (length: Int, state: UInt64)?
        let unusual: Bool
        let normal: Bool

        init(_ logged: UnsafeRawBufferPointer) {
            var state = PathTable.basis
            var parent: (length: Int, state: UInt64)?
            var unusual = false
            var normal = !logged.isEmpty
            var start = 0
            for i in 0...logged.count {
                let byte = i < logged.count ? logged[i] : FamfsPath.slash
                if byte == FamfsPath.slash {
                    let length = i - start
                    if length == 0 || logged[start] == FamfsPath.dot && (length == 1 || length == 2 && logged[start + 1] == FamfsPath.dot) {
                        normal = false
                    }
                    if i == logged.count { break }
                    parent = (i, state)
                    start = i + 1
                }
                unusual = unusual || byte < 0x20 || byte >= 0x7f
                state = PathTable.mix(state, byte)
            }
            (bytes, self.state, self.parent, self.unusual, self.normal) = (logged, state, parent, unusual, normal)
        }
    }

    /// Starts loading the part of the table where `path` would be looked up. The table is far
    /// larger than the caches and each new path lands at a random place in it, so a scan
    /// that calls this for a batch of entries before applying them overlaps their cache
    /// misses instead of waiting for each in turn.
    func prefetch(_ path: LoggedPath) {
        cfamfs_prefetch(storage.table + (Int(truncatingIfNeeded: storage.finish(path.state)) & storage.mask))
    }

    /// Replays a MKDIR (`file` nil) or FILE entry whose logged path is `path`.
    mutating func apply(path: LoggedPath, file size: UInt64?) -> Outcome {
        add(path, size: size ?? PathTable.directory)
    }

    /// Where an accepted path is: its record number and its parent directory's (nil for the
    /// root). Records are numbered from 0 in the order paths were first accepted and keep
    /// their numbers, so a replay can index what it knows of each node by them instead of
    /// hashing its path again.
    struct Place: Equatable {
        var record: Int
        var parent: Int?
    }

    /// `apply(path:file:)`, and where the path is when it was accepted.
    mutating func place(path: LoggedPath, file size: UInt64?) -> (outcome: Outcome, place: Place?) {
        let outcome = add(path, size: size ?? PathTable.directory)
        switch outcome {
        case .created, .existed: return (outcome, lastPlace)
        default: return (outcome, nil)
        }
    }

    /// Where the path `insert` accepted last is. Kept here rather than returned, so that fsck,
    /// which needs only the outcome, pays almost nothing for it (two stores per entry).
    private var lastPlace = Place(record: 0, parent: nil)

    private mutating func add(_ logged: UnsafeRawBufferPointer, size: UInt64) -> Outcome {
        add(LoggedPath(logged), size: size)
    }

    private mutating func add(_ path: LoggedPath, size: UInt64) -> Outcome {
        if path.unusual, let problem = FamfsPath.byteProblem(path.bytes) { return .invalidPath(.badByte(problem)) }
        guard path.normal else {
            guard let components = FamfsPath.normalize(logged: Array(path.bytes)) else { return .invalidPath(.escapesRoot) }
            return Array(components.joined(separator: [FamfsPath.slash])).withUnsafeBytes { add($0, size: size) }
        }
        return insert(path.bytes, state: path.state, parent: path.parent, size: size)
    }

    /// Adds a normal path under its parent, given the hashing states of both.
    private mutating func insert(_ path: UnsafeRawBufferPointer, state: UInt64, parent: (length: Int, state: UInt64)?,
                                 size: UInt64) -> Outcome {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy(capacity: storage.capacity) }
        // `storage` itself throughout, not a local copy of the reference: a copy costs a
        // retain and a release per entry, a tenth of fsck's time on a full log.
        let hash = storage.finish(state)
        var parentRecord: Int?
        if let parent {
            let prefix = UnsafeRawBufferPointer(rebasing: path[0..<parent.length])
            guard let index = storage.find(prefix, hash: storage.finish(parent.state)) else { return .missingParent(Array(prefix)) }
            guard storage.records[index].size == PathTable.directory else { return .parentNotDirectory(Array(prefix)) }
            parentRecord = index
        }
        if let index = storage.find(path, hash: hash) {
            let existing = storage.node(index)
            switch (existing, size == PathTable.directory) {
            case (.directory, true), (.file, false):
                lastPlace = Place(record: index, parent: parentRecord)
                return .existed
            default: return .conflict(existing)
            }
        }
        if storage.count == storage.capacity { storage = storage.copy(capacity: 2 * storage.capacity) }
        storage.append(path, size: size, hash: hash)
        lastPlace = Place(record: storage.count - 1, parent: parentRecord)
        return .created
    }
}

/// The paths of a `Namespace`: their bytes one after another in an arena, a record per path,
/// and an open-addressing table (linear probing, at most half full) over the records. Plain
/// memory, so lookups in fsck's loop cost no reference counting; `Namespace` copies it
/// before changing a shared one. Since only a uniquely referenced table is ever changed, no
/// two accesses to its counters can overlap: they are exempt from the run-time exclusivity
/// check, which otherwise costs a call per access in fsck's loop.
private final class PathTable: @unchecked Sendable {
    struct Record {
        var start: Int
        var length: Int
        /// `PathTable.directory` for a directory, the size for a file.
        var size: UInt64
    }

    static let directory = UInt64.max

    /// Paths the records and table have room for.
    let capacity: Int
    @exclusivity(unchecked) private(set) var count = 0
    let records: UnsafeMutablePointer<Record>
    /// 0 empty, else the record index + 1 in the low 32 bits and the path's hash above.
    let table: UnsafeMutablePointer<UInt64>
    let mask: Int
    @exclusivity(unchecked) private var arena: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var arenaCount = 0
    @exclusivity(unchecked) private var arenaCapacity: Int
    /// Per process, so a hostile log cannot be crafted to pile its paths into one probe run.
    let seed: UInt64

    init(capacity: Int, seed: UInt64 = .random(in: .min ... .max)) {
        self.capacity = capacity
        self.seed = seed
        records = Self.allocate(capacity: capacity)
        var size = 64
        while size < 2 * capacity { size *= 2 }
        table = Self.allocate(capacity: size)
        table.initialize(repeating: 0, count: size)
        mask = size - 1
        arenaCapacity = 16 * capacity
        arena = Self.allocate(capacity: arenaCapacity)
    }

    /// Memory for `capacity` values. A block of 2 MiB or more is aligned to 2 MiB and advised
    /// as transparent huge pages: a full log's table then faults in a dozen huge pages rather
    /// than thousands of small ones, whose faults were most of fsck's system time.
    private static func allocate<T>(capacity: Int) -> UnsafeMutablePointer<T> {
        let bytes = capacity * MemoryLayout<T>.stride
        let hugePage = 2 << 20
        guard bytes >= hugePage else { return .allocate(capacity: capacity) }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: hugePage)
        _ = madvise(memory, bytes, Int32(MADV_HUGEPAGE))
        return memory.bindMemory(to: T.self, capacity: capacity)
    }

    deinit {
        records.deallocate()
        table.deallocate()
        arena.deallocate()
    }

    /// A table holding the same paths with room for `capacity` (at least `count`).
    func copy(capacity: Int) -> PathTable {
        let copy = PathTable(capacity: max(capacity, count), seed: seed)
        for index in 0..<count {
            let record = records[index]
            let path = UnsafeRawBufferPointer(start: arena + record.start, count: record.length)
            copy.append(path, size: record.size, hash: hash(path))
        }
        return copy
    }

    func node(_ index: Int) -> Namespace.Node {
        records[index].size == Self.directory ? .directory : .file(size: records[index].size)
    }

    func find(_ path: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while table[slot] != 0 {
            let item = table[slot]
            if item >> 32 == hash >> 32 {
                let index = Int(item & 0xffff_ffff) - 1
                let record = records[index]
                if record.length == path.count, memcmp(arena + record.start, path.baseAddress!, path.count) == 0 {
                    return index
                }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Adds a path that `find` did not find; the caller made sure there is room.
    func append(_ path: UnsafeRawBufferPointer, size: UInt64, hash: UInt64) {
        if arenaCount + path.count > arenaCapacity {
            let grown: UnsafeMutablePointer<UInt8> = Self.allocate(capacity: 2 * arenaCapacity + path.count)
            grown.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = grown
            arenaCapacity = 2 * arenaCapacity + path.count
        }
        if !path.isEmpty { (arena + arenaCount).update(from: path.baseAddress!.assumingMemoryBound(to: UInt8.self), count: path.count) }
        (records + count).initialize(to: Record(start: arenaCount, length: path.count, size: size))
        arenaCount += path.count
        count += 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while table[slot] != 0 { slot = (slot + 1) & mask }
        table[slot] = (hash >> 32) << 32 | UInt64(count)
    }

    // FNV-1a over the bytes (cheap, and a prefix's state falls out of the same pass), then
    // the seed and MurmurHash3's finaliser: the low bits pick the slot, the high 32 are the
    // tag kept in it.
    static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    static func mix(_ state: UInt64, _ byte: UInt8) -> UInt64 { (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
    func hash(_ path: UnsafeRawBufferPointer) -> UInt64 { finish(path.reduce(Self.basis, Self.mix)) }

    func finish(_ state: UInt64) -> UInt64 {
        var h = state ^ seed
        h = (h ^ h >> 33) &* 0xff51_afd7_ed55_8ccd
        h = (h ^ h >> 33) &* 0xc4ce_b9fe_1a85_ec53
        return h ^ h >> 33
    }
}

/// Why a logged path cannot be replayed, whatever else the log holds.
public enum LoggedPathProblem: Equatable, Sendable, CustomStringConvertible {
    /// Absolute, empty, or climbing above the root once `.` and `..` are resolved.
    case escapesRoot
    case badByte(ByteProblem)

    public var description: String {
        switch self {
        case .escapesRoot: return "path is not relative or escapes the root"
        case .badByte(let problem): return "path holds \(problem)"
        }
    }
}
