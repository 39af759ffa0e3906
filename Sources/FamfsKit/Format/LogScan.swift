/// The result of reading every slot below `next_index`: valid entries in log order, bad
/// entries with the reason, and entries of types readers ignore.
public struct LogScan: Sendable {
    public struct BadEntry: Equatable, Sendable {
        public var index: UInt64
        /// The path as far as it can be read from a bad slot, for the report.
        public var path: [UInt8]?
        public var problem: EntryProblem
    }

    public var header: LogHeader
    public var entries: [LogEntry] = []
    public var badEntries: [BadEntry] = []
    /// Indexes of DELETE and unknown-type entries (warned about, otherwise ignored).
    public var ignoredEntries: [(index: UInt64, type: UInt32)] = []

    /// Reads slots 0 ..< header.nextIndex of `log` (the log region, header first).
    public init(log: UnsafeRawBufferPointer, header: LogHeader, superblock: Superblock) {
        self.header = header
        let geometry = LogEntry.Geometry(superblock)
        let slots = min(header.nextIndex, Famfs.slotCount(logLength: UInt64(log.count)))
        entries.reserveCapacity(Int(slots))
        for index in 0..<slots {
            let start = Int(LogHeader.size + index * LogEntry.size)
            let slot = UnsafeRawBufferPointer(rebasing: log[start..<start + Int(LogEntry.size)])
            switch LogEntry.validate(slot, index: index, geometry: geometry) {
            case .success(let entry):
                if case .other(let type) = entry.body { ignoredEntries.append((index, type)) }
                entries.append(entry)
            case .failure(let problem):
                badEntries.append(BadEntry(index: index, path: LogEntry.bestEffortPath(slot), problem: problem))
            }
        }
    }
}

extension LogEntry {
    /// The path field of a FILE or MKDIR slot, whatever its CRC says, for messages.
    static func bestEffortPath(_ slot: UnsafeRawBufferPointer) -> [UInt8]? {
        let offset: Int
        switch EntryType(rawValue: slot.u32(at: 8)) {
        case .file: offset = 40
        case .mkdir: offset = 28
        default: return nil
        }
        return slot.cString(at: offset, fieldSize: pathFieldSize)
    }
}
