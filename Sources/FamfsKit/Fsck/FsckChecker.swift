// SPDX-License-Identifier: Apache-2.0
import Glibc

/// fsck proper: streams the log window by window (`LogWindows`: slots checked in parallel,
/// CRCs over all cores) and, in log order, counts the slots, replays them into the namespace
/// and marks them in the allocation bitmap, filling a `FsckReport`.
public enum FsckChecker {
    /// How many entries ahead the namespace lookup of an entry is started (`Namespace.prefetch`).
    static let prefetchDistance = 16

    /// What a check finds, and the namespace and bitmap the log defines (what the append
    /// planner starts from).
    struct Outcome {
        var report: FsckReport
        var namespace: Namespace
        var bitmap: AllocationBitmap
    }

    /// Checks `volume`. `systemUUID` is this host's (nil: unknown, so the role is Client);
    /// `nbuckets` asks for bucket statistics. Throws when a window of the log cannot be
    /// mapped or read.
    public static func check(_ volume: FamfsVolume, systemUUID: FamfsUUID?,
                             nbuckets: Int? = nil) throws(DeviceError) -> FsckReport {
        try outcome(of: volume, header: volume.header, systemUUID: systemUUID, nbuckets: nbuckets).report
    }

    /// The check of `volume` below next_index of `header`, with the namespace and bitmap;
    /// the namespace has room for `room` paths (at least the entries in use) without growing.
    static func outcome(of volume: FamfsVolume, header: LogHeader, systemUUID: FamfsUUID?,
                        nbuckets: Int? = nil, room: Int = 0) throws(DeviceError) -> Outcome {
        var outcome = start(superblock: volume.superblock, header: header, systemUUID: systemUUID, room: room)
        let geometry = LogEntry.Geometry(volume.superblock)
        try LogWindows.stream(volume, header: header) { tallyWindow($0, geometry: geometry, into: &outcome) }
        return finish(outcome, nbuckets: nbuckets)
    }

    /// The check over validated metadata and log bytes in memory (header first).
    public static func check(superblock: Superblock, header: LogHeader, log: UnsafeRawBufferPointer,
                             systemUUID: FamfsUUID?, nbuckets: Int? = nil) -> FsckReport {
        var outcome = start(superblock: superblock, header: header, systemUUID: systemUUID)
        let geometry = LogEntry.Geometry(superblock)
        LogWindows.stream(log: log, header: header, superblock: superblock) { tallyWindow($0, geometry: geometry, into: &outcome) }
        return finish(outcome, nbuckets: nbuckets).report
    }

    private static func start(superblock: Superblock, header: LogHeader, systemUUID: FamfsUUID?, room: Int = 0) -> Outcome {
        var report = FsckReport(
            superblock: superblock, role: systemUUID == superblock.systemUUID ? .owner : .client, header: header)
        if header.seqnumMismatch {
            report.warnings.append("log header next_seqnum \(header.nextSeqnum) differs from next_index \(header.nextIndex)")
        }
        var namespace = Namespace()
        namespace.reserve(max(room, LogScan.slotsInUse(logLength: superblock.logLength, header: header)))
        // Validation bounds the unit count (Famfs.maximumAllocationUnits).
        return Outcome(report: report, namespace: namespace, bitmap: AllocationBitmap(superblock: superblock))
    }

    private static func finish(_ outcome: Outcome, nbuckets: Int?) -> Outcome {
        var outcome = outcome
        outcome.report.collisions = outcome.bitmap.collisions
        outcome.report.allocatedBytes = outcome.bitmap.allocatedBytes
        outcome.report.bitmapCapacity = outcome.bitmap.capacityBytes
        if let nbuckets { outcome.report.buckets = BucketStatistics(bitmap: outcome.bitmap, buckets: nbuckets) }
        return outcome
    }

    /// Tallies a classified window in log order, starting the namespace lookup of the entries
    /// `prefetchDistance` ahead.
    private static func tallyWindow(_ window: LogWindows.Window, geometry: LogEntry.Geometry, into outcome: inout Outcome) {
        let indexes = window.run.indexes
        for index in indexes.prefix(prefetchDistance) where window.kind(index).pathOffset != nil {
            outcome.namespace.prefetch(window.path(index))
        }
        for index in indexes {
            let ahead = index + prefetchDistance
            if ahead < indexes.upperBound, window.kind(ahead).pathOffset != nil { outcome.namespace.prefetch(window.path(ahead)) }
            let kind = window.kind(index)
            tally(window.run.slot(index), index: index, kind: kind, path: kind.pathOffset == nil ? nil : window.path(index),
                  geometry: geometry, into: &outcome.report, bitmap: &outcome.bitmap, namespace: &outcome.namespace)
        }
    }

    /// Adds one classified slot to the report: counts, the namespace check for a valid
    /// directory or file, the size sum and the bitmap for a valid file (an entry whose units
    /// were already in use is a problem of its own), the problem of a bad slot, a warning for
    /// an ignored type. `path` is the slot's path when the workers summarised it.
    private static func tally(_ slot: UnsafeRawBufferPointer, index: Int, kind: SlotKind, path: Namespace.LoggedPath?,
                              geometry: LogEntry.Geometry, into report: inout FsckReport, bitmap: inout AllocationBitmap,
                              namespace: inout Namespace) {
        func summarised() -> Namespace.LoggedPath { path ?? Namespace.LoggedPath(LogWindows.loggedPath(slot, at: kind.pathOffset!)) }
        switch kind {
        case .directory:
            report.directories += 1
            replay(summarised(), file: nil, index: index, into: &report, namespace: &namespace)
        case .file:
            report.files += 1
            replay(summarised(), file: slot.u64(at: 16), index: index, into: &report, namespace: &namespace)
            let (sum, overflow) = report.fileSizeSum.addingReportingOverflow(slot.u64(at: 16))
            report.fileSizeSum = overflow ? .max : sum
            let before = bitmap.collisions
            LogEntry.forEachExtent(slot) { bitmap.mark($0) }
            let collided = bitmap.collisions - before
            if collided > 0 {
                report.problems.append(.init(
                    index: UInt64(index), path: slot.cString(at: 40, fieldSize: LogEntry.pathFieldSize),
                    what: "allocation collision: \(collided) allocation units already in use"))
            }
        case .bad:
            // A second read for the message doubles as upstream's retry: on shared memory
            // another host's write may have been in flight (upstream printed the message
            // twice; once here), and an entry that reads valid now counts as valid.
            guard let problem = LogEntry.check(slot, index: UInt64(index), geometry: geometry) else {
                return tally(slot, index: index, kind: SlotKind(validType: slot.u32(at: 8)), path: nil, geometry: geometry,
                             into: &report, bitmap: &bitmap, namespace: &namespace)
            }
            report.badEntryCount += 1
            report.problems.append(.init(index: UInt64(index), path: LogEntry.bestEffortPath(slot), what: problem.description))
        case .ignored:
            report.warnings.append("log entry \(index): unknown entry type \(slot.u32(at: 8)) (ignored)")
        case .addDaxdev:
            break
        }
    }

    /// Replays a valid MKDIR or FILE slot into the namespace as logplay would; what logplay
    /// would refuse is a problem.
    private static func replay(_ path: Namespace.LoggedPath, file size: UInt64?, index: Int,
                               into report: inout FsckReport, namespace: inout Namespace) {
        let outcome = namespace.apply(path: path, file: size)
        // What nearly every entry of a log does, without asking for a message.
        if case .created = outcome { return }
        if let problem = outcome.problem {
            report.problems.append(.init(index: UInt64(index), path: Array(path.bytes), what: problem))
        }
    }
}
