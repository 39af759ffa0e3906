// SPDX-License-Identifier: Apache-2.0
import Dispatch

/// The result of reading every slot below `next_index`: valid entries in log order, bad
/// entries with the reason, and entries of types readers ignore.
///
/// Slots are checked (seqnum, CRC, body rules) in parallel chunks over all cores without
/// allocating per slot; only the valid entries are then decoded, in order. (fsck, which
/// needs no entries, streams the same classification through `FsckChecker`.)
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
        let run = SlotRun(log: log, indexes: 0..<Self.slotsInUse(log, header: header))
        entries.reserveCapacity(run.indexes.count)
        for (index, kind) in zip(run.indexes, SlotKind.classify(run, geometry: geometry)) {
            switch Self.read(run.slot(index), index: index, kind: kind, geometry: geometry) {
            case .bad(let bad):
                badEntries.append(bad)
            case .entry(let entry):
                if kind == .ignored { ignoredEntries.append((UInt64(index), entry.type)) }
                entries.append(entry)
            }
        }
    }

    /// A classified slot as readers see it: a valid entry, or a bad one with its problem.
    public enum Item: Equatable, Sendable {
        case entry(LogEntry)
        case bad(BadEntry)
    }

    /// Decodes slot `index` of kind `kind` (as `SlotKind` classified it).
    static func read(_ slot: UnsafeRawBufferPointer, index: Int, kind: SlotKind, geometry: LogEntry.Geometry) -> Item {
        kind == .bad ? .bad(bad(slot, index: index, geometry: geometry)) : .entry(LogEntry.decodeChecked(slot))
    }

    /// Slot `index`, which `SlotKind` classified bad, with its problem.
    static func bad(_ slot: UnsafeRawBufferPointer, index: Int, geometry: LogEntry.Geometry) -> BadEntry {
        // Safe: classify found a problem, and check is deterministic.
        let problem = LogEntry.check(slot, index: UInt64(index), geometry: geometry)!
        return BadEntry(index: UInt64(index), path: LogEntry.bestEffortPath(slot), problem: problem)
    }

    /// What a stream hands over, in log order: each valid slot, read in place (valid during the
    /// visit only), with the path the workers summarised (of a MKDIR or FILE slot), or a bad
    /// slot; and ahead of a slot the path of one to come, so that its namespace lookup can be
    /// started early (`Namespace.prefetch`, as fsck does).
    enum Streamed {
        case valid(CheckedSlot, path: Namespace.LoggedPath?)
        case bad(BadEntry)
        case upcoming(Namespace.LoggedPath)
    }

    /// Streams the slots of `volume` below next_index of `header` to `visit`, in log order,
    /// window by window (`LogWindows`): what `LogScan` holds, without holding the log.
    static func stream(_ volume: FamfsVolume, header: LogHeader, visit: (Streamed) -> Void) throws(DeviceError) {
        let geometry = LogEntry.Geometry(volume.superblock)
        let distance = FsckChecker.prefetchDistance
        try LogWindows.stream(volume, header: header) { window in
            let indexes = window.run.indexes
            func path(_ index: Int) -> Namespace.LoggedPath? {
                index < indexes.upperBound && window.kind(index).pathOffset != nil ? window.path(index) : nil
            }
            for index in indexes.prefix(distance) {
                if let path = path(index) { visit(.upcoming(path)) }
            }
            for index in indexes {
                if let ahead = path(index + distance) { visit(.upcoming(ahead)) }
                let slot = window.run.slot(index)
                visit(window.kind(index) == .bad ? .bad(bad(slot, index: index, geometry: geometry))
                                                 : .valid(CheckedSlot(bytes: slot), path: path(index)))
            }
        }
    }

    /// Slots below next_index that `log` holds (a validated header never points further).
    static func slotsInUse(_ log: UnsafeRawBufferPointer, header: LogHeader) -> Int {
        slotsInUse(logLength: UInt64(log.count), header: header)
    }

    /// Slots below next_index that a log of `logLength` bytes holds.
    static func slotsInUse(logLength: UInt64, header: LogHeader) -> Int {
        // Safe: a log's length is bounded by a target that can be mapped.
        Int(min(header.nextIndex, Famfs.slotCount(logLength: logLength)))
    }

}

/// Consecutive log slots in memory: the slots of a whole log region, or of a window of it
/// mapped on its own.
struct SlotRun: @unchecked Sendable {
    /// The slots' bytes, slot `indexes.lowerBound` first.
    let bytes: UnsafeRawBufferPointer
    let indexes: Range<Int>

    init(bytes: UnsafeRawBufferPointer, indexes: Range<Int>) {
        precondition(bytes.count >= indexes.count * Int(LogEntry.size), "slot run shorter than its slots")
        self.bytes = bytes
        self.indexes = indexes
    }

    /// Slots `indexes` of a log region (header first).
    init(log: UnsafeRawBufferPointer, indexes: Range<Int>) {
        let start = Int(LogHeader.size) + indexes.lowerBound * Int(LogEntry.size)
        self.init(bytes: UnsafeRawBufferPointer(rebasing: log[start...]), indexes: indexes)
    }

    /// Byte range of slots `indexes` within a log region (header first).
    static func logRange(_ indexes: Range<Int>) -> Range<Int> {
        Int(LogHeader.size) + indexes.lowerBound * Int(LogEntry.size)..<Int(LogHeader.size) + indexes.upperBound * Int(LogEntry.size)
    }

    func slot(_ index: Int) -> UnsafeRawBufferPointer {
        let start = (index - indexes.lowerBound) * Int(LogEntry.size)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<start + Int(LogEntry.size)])
    }
}

/// One byte per slot: what a valid slot holds, or that it is bad.
enum SlotKind: UInt8, Sendable {
    case file, directory, addDaxdev, ignored, bad

    /// Slots per unit of parallel work: large enough that dispatch costs vanish next to the
    /// CRCs (about a quarter MiB of log), small enough to balance two or more cores.
    static let chunkSlots = 512

    /// Checks the slots of `run` in parallel chunks, each writing its own part of the result.
    static func classify(_ run: SlotRun, geometry: LogEntry.Geometry) -> [SlotKind] {
        let slots = run.indexes
        return [SlotKind](unsafeUninitializedCapacity: slots.count) { buffer, count in
            let chunks = (slots.count + chunkSlots - 1) / chunkSlots
            let output = UncheckedSendable(buffer)
            let work: @Sendable (Int) -> Void = { chunk in
                let first = slots.lowerBound + chunk * chunkSlots
                for index in first..<min(slots.upperBound, first + chunkSlots) {
                    let kind = SlotKind(run.slot(index), index: index, geometry: geometry)
                    (output.value.baseAddress! + (index - slots.lowerBound)).initialize(to: kind)
                }
            }
            if chunks > 1 {
                DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
            } else if chunks == 1 {
                work(0)
            }
            count = slots.count
        }
    }

    /// What slot `index` holds, or `.bad`; `crc` as for `LogEntry.check`.
    init(_ slot: UnsafeRawBufferPointer, index: Int, geometry: LogEntry.Geometry, crc: UInt32? = nil) {
        self = LogEntry.check(slot, index: UInt64(index), geometry: geometry, crc: crc) == nil
            ? SlotKind(validType: slot.u32(at: 8)) : .bad
    }

    init(validType type: UInt32) {
        switch LogEntry.EntryType(rawValue: type) {
        case .file: self = .file
        case .mkdir: self = .directory
        case .addDaxdev: self = .addDaxdev
        case .delete, nil: self = .ignored
        }
    }
}

/// Hands memory that concurrent workers use in disjoint parts across the Sendable boundary.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
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
