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

    private struct Record: Sendable {
        var start: UInt32
        var length: UInt32
        /// `UInt64.max` for a directory, the size for a file.
        var size: UInt64

        var node: Node { size == Self.directory ? .directory : .file(size: size) }
        static let directory = UInt64.max
    }

    private var arena: [UInt8] = []
    private var records: [Record] = []
    /// 0 empty, else the record index + 1 in the low 32 bits and the path's hash above.
    private var table = [UInt64](repeating: 0, count: 64)
    /// Per process, so a hostile log cannot be crafted to pile its paths into one probe run.
    private let seed = UInt64.random(in: .min ... .max)

    public init() {}

    /// Replays the valid FILE and MKDIR entries of a scan, in log order.
    public init(scan: LogScan) {
        reserve(scan.entries.count)
        for entry in scan.entries { apply(entry.body) }
    }

    /// Makes room for `count` paths without growing.
    mutating func reserve(_ count: Int) {
        records.reserveCapacity(count)
        arena.reserveCapacity(count * 16)
        var size = table.count
        while size < 2 * count { size *= 2 }
        if size > table.count { rehash(size) }
    }

    public var count: Int { records.count }

    /// The node at a normalised path (components joined by `/`); the root is a directory.
    public func node(at path: [UInt8]) -> Node? {
        path.isEmpty ? .directory : path.withUnsafeBytes { find($0, hash: hash($0)).map { records[$0].node } }
    }

    /// Replays one entry; entries without a path (ADD_DAXDEV, unknown types) change nothing
    /// and report `.existed`.
    @discardableResult
    public mutating func apply(_ body: LogEntry.Body) -> Outcome {
        switch body {
        case .file(let file): return file.path.withUnsafeBytes { add($0, size: file.size) }
        case .directory(let directory): return directory.path.withUnsafeBytes { add($0, size: Record.directory) }
        case .addDaxdev, .other: return .existed
        }
    }

    /// Replays a MKDIR (`file` nil) or FILE entry whose logged path (without its NUL) is `path`.
    mutating func apply(path: UnsafeRawBufferPointer, file size: UInt64?) -> Outcome {
        add(path, size: size ?? Record.directory)
    }

    private mutating func add(_ logged: UnsafeRawBufferPointer, size: UInt64) -> Outcome {
        if let problem = FamfsPath.byteProblem(logged) { return .invalidPath(.badByte(problem)) }
        if !logged.isEmpty, FamfsPath.isNormal(logged) { return insert(logged, size: size) }
        guard let components = FamfsPath.normalize(logged: Array(logged)) else { return .invalidPath(.escapesRoot) }
        return Array(components.joined(separator: [FamfsPath.slash])).withUnsafeBytes { insert($0, size: size) }
    }

    /// Adds a normal path under its parent.
    private mutating func insert(_ path: UnsafeRawBufferPointer, size: UInt64) -> Outcome {
        // One pass hashes both the path and its parent (the prefix before the last slash).
        var state = Self.basis
        var parent: (length: Int, hash: UInt64)?
        for (i, byte) in path.enumerated() {
            if byte == FamfsPath.slash { parent = (i, finish(state)) }
            state = Self.mix(state, byte)
        }
        let hash = finish(state)
        if let parent {
            let prefix = UnsafeRawBufferPointer(rebasing: path[0..<parent.length])
            switch find(prefix, hash: parent.hash).map({ records[$0].size }) {
            case nil: return .missingParent(Array(prefix))
            case Record.directory?: break
            case _?: return .parentNotDirectory(Array(prefix))
            }
        }
        if let index = find(path, hash: hash) {
            let existing = records[index].node
            switch (existing, size == Record.directory) {
            case (.directory, true), (.file, false): return .existed
            default: return .conflict(existing)
            }
        }
        if 2 * (records.count + 1) > table.count { rehash(table.count * 2) }
        // Safe: a log holds fewer than 2^32 slots of at most 80 path bytes each.
        records.append(Record(start: UInt32(arena.count), length: UInt32(path.count), size: size))
        arena.append(contentsOf: path)
        place(records.count - 1, hash: hash)
        return .created
    }

    private func find(_ path: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let mask = table.count - 1
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        return arena.withUnsafeBytes { arena in
            while table[slot] != 0 {
                let item = table[slot]
                if item >> 32 == tag {
                    let index = Int(item & 0xffff_ffff) - 1
                    let record = records[index]
                    if Int(record.length) == path.count,
                       path.elementsEqual(arena[Int(record.start)..<Int(record.start) + path.count]) {
                        return index
                    }
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    private mutating func place(_ index: Int, hash: UInt64) {
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while table[slot] != 0 { slot = (slot + 1) & mask }
        table[slot] = (hash >> 32) << 32 | UInt64(index + 1)
    }

    private mutating func rehash(_ size: Int) {
        table = [UInt64](repeating: 0, count: size)
        for index in records.indices {
            let record = records[index]
            let hash = arena.withUnsafeBytes { self.hash(UnsafeRawBufferPointer(rebasing: $0[Int(record.start)..<Int(record.start + record.length)])) }
            place(index, hash: hash)
        }
    }

    // FNV-1a over the bytes (cheap, and a prefix's state falls out of the same pass), then
    // the seed and MurmurHash3's finaliser: the low bits pick the slot, the high 32 are the
    // tag kept in it.
    private static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static func mix(_ state: UInt64, _ byte: UInt8) -> UInt64 { (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
    private func hash(_ path: UnsafeRawBufferPointer) -> UInt64 { finish(path.reduce(Self.basis, Self.mix)) }

    private func finish(_ state: UInt64) -> UInt64 {
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
