// SPDX-License-Identifier: Apache-2.0
import Glibc

/// fsck proper: streams the log window by window — slots checked in parallel (CRCs over
/// all cores), then counted and marked in the allocation bitmap in log order — and fills a
/// `FsckReport`. A volume's log is mapped one window at a time (its own small mapping, let
/// go afterwards), so memory stays flat whatever the log length and however the page cache
/// holds the file.
public enum FsckChecker {
    /// Slots per window: a sixteenth of the log, between two parallel chunks (about half a
    /// MiB, small logs) and 8 (about 2 MiB, large ones). Each window is copied into one
    /// buffer: a small one costs few page faults and stays in the caches between the
    /// workers' pass and the main thread's, and a mapping per 2 MiB costs little.
    static func windowSlots(logSlots: Int) -> Int {
        let chunk = SlotKind.chunkSlots
        return min(8 * chunk, max(2 * chunk, logSlots / 16 / chunk * chunk))
    }

    /// How many entries ahead the namespace lookup of an entry is started (`Namespace.prefetch`).
    static let prefetchDistance = 16

    /// Checks `volume`. `systemUUID` is this host's (nil: unknown, so the role is Client);
    /// `nbuckets` asks for bucket statistics. Throws when a window of the log cannot be
    /// mapped or read.
    public static func check(_ volume: FamfsVolume, systemUUID: FamfsUUID?,
                             nbuckets: Int? = nil) throws(DeviceError) -> FsckReport {
        // A copy: the slots are checked away from a mapping that may fault. One buffer serves
        // every window, so its pages are faulted in once.
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: windowSlots(logSlots: Int(volume.header.slotCount)) * Int(LogEntry.size), alignment: 16)
        defer { buffer.deallocate() }
        return try check(superblock: volume.superblock, header: volume.header,
                         slotsInUse: LogScan.slotsInUse(logLength: volume.superblock.logLength, header: volume.header),
                         systemUUID: systemUUID, nbuckets: nbuckets) {
            (indexes, body) throws(DeviceError) in
            let range = SlotRun.logRange(indexes)
            try volume.readLog(range, into: buffer)
            body(SlotRun(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<range.count]), indexes: indexes))
        }
    }

    /// The check over validated metadata and log bytes in memory (header first).
    public static func check(superblock: Superblock, header: LogHeader, log: UnsafeRawBufferPointer,
                             systemUUID: FamfsUUID?, nbuckets: Int? = nil) -> FsckReport {
        check(superblock: superblock, header: header, slotsInUse: LogScan.slotsInUse(log, header: header),
              systemUUID: systemUUID, nbuckets: nbuckets) { indexes, body in
            body(SlotRun(log: log, indexes: indexes))
        }
    }

    /// The loop both entry points share; `window` hands each window's slots to its body.
    private static func check<E: Error>(
        superblock: Superblock, header: LogHeader, slotsInUse slots: Int, systemUUID: FamfsUUID?, nbuckets: Int?,
        window: (Range<Int>, (SlotRun) -> Void) throws(E) -> Void
    ) throws(E) -> FsckReport {
        var report = FsckReport(
            superblock: superblock, role: systemUUID == superblock.systemUUID ? .owner : .client, header: header)
        if header.seqnumMismatch {
            report.warnings.append("log header next_seqnum \(header.nextSeqnum) differs from next_index \(header.nextIndex)")
        }
        // Validation bounds the unit count (Famfs.maximumAllocationUnits).
        var bitmap = AllocationBitmap(superblock: superblock)
        var namespace = Namespace()
        namespace.reserve(slots)
        let geometry = LogEntry.Geometry(superblock)
        let windowSlots = windowSlots(logSlots: Int(header.slotCount))
        // The path of each valid MKDIR or FILE slot of a window, summarised by the CRC workers.
        let paths = UnsafeMutablePointer<Namespace.LoggedPath>.allocate(capacity: windowSlots)
        defer { paths.deallocate() }
        var indexes = 0..<min(slots, windowSlots)
        while !indexes.isEmpty {
            try window(indexes) { run in
                let first = run.indexes.lowerBound
                let output = UncheckedSendable(paths)
                let kinds = SlotKind.classify(run, geometry: geometry) { index, kind in
                    guard let offset = kind.pathOffset else { return }
                    (output.value + (index - first)).initialize(to: Namespace.LoggedPath(loggedPath(run.slot(index), at: offset)))
                }
                for i in 0..<min(kinds.count, prefetchDistance) where kinds[i].pathOffset != nil {
                    namespace.prefetch(paths[i])
                }
                for (i, kind) in kinds.enumerated() {
                    let ahead = i + prefetchDistance
                    if ahead < kinds.count, kinds[ahead].pathOffset != nil { namespace.prefetch(paths[ahead]) }
                    tally(run.slot(first + i), index: first + i, kind: kind, path: kind.pathOffset == nil ? nil : paths[i],
                          geometry: geometry, into: &report, bitmap: &bitmap, namespace: &namespace)
                }
            }
            indexes = indexes.upperBound..<min(slots, indexes.upperBound + windowSlots)
        }
        report.collisions = bitmap.collisions
        report.allocatedBytes = bitmap.allocatedBytes
        report.bitmapCapacity = bitmap.capacityBytes
        if let nbuckets { report.buckets = BucketStatistics(bitmap: bitmap, buckets: nbuckets) }
        return report
    }

    /// Adds one classified slot to the report: counts, the namespace check for a valid
    /// directory or file, the size sum and the bitmap for a valid file (an entry whose units
    /// were already in use is a problem of its own), the problem of a bad slot, a warning for
    /// an ignored type. `path` is the slot's path when the workers summarised it.
    private static func tally(_ slot: UnsafeRawBufferPointer, index: Int, kind: SlotKind, path: Namespace.LoggedPath?,
                              geometry: LogEntry.Geometry, into report: inout FsckReport, bitmap: inout AllocationBitmap,
                              namespace: inout Namespace) {
        func summarised() -> Namespace.LoggedPath { path ?? Namespace.LoggedPath(loggedPath(slot, at: kind.pathOffset!)) }
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
        if let problem = namespace.apply(path: path, file: size).problem {
            report.problems.append(.init(index: UInt64(index), path: Array(path.bytes), what: problem))
        }
    }

    /// The path of a valid MKDIR or FILE slot, without its NUL, in place.
    private static func loggedPath(_ slot: UnsafeRawBufferPointer, at offset: Int) -> UnsafeRawBufferPointer {
        // strnlen, not firstIndex: this runs for every entry. The slot passed `LogEntry.check`,
        // so the field holds a NUL.
        let start = slot.baseAddress! + offset
        return UnsafeRawBufferPointer(start: start, count: strnlen(start.assumingMemoryBound(to: CChar.self), LogEntry.pathFieldSize))
    }
}

extension SlotKind {
    /// Where a valid slot of this kind holds its path, nil for kinds without one.
    var pathOffset: Int? {
        switch self {
        case .directory: return 28
        case .file: return 40
        case .addDaxdev, .ignored, .bad: return nil
        }
    }
}
