/// fsck proper: streams the log of an open volume window by window — slots checked in
/// parallel (CRCs over all cores), then counted and marked in the allocation bitmap in log
/// order — and fills a `FsckReport`. Pages of finished windows are let go, so memory stays
/// flat whatever the log length.
public enum FsckChecker {
    /// Largest bitmap rebuilt (2^30 units: 2 PiB of 2 MiB units, 4 TiB of 4 KiB units); a
    /// superblock claiming more is reported instead of exhausting memory.
    static let maximumUnits: UInt64 = 1 << 30
    /// Slots per window: four parallel chunks, about 2 MiB of log.
    static let windowSlots = 4 * SlotKind.chunkSlots

    /// Checks `volume`. `systemUUID` is this host's (nil: unknown, so the role is Client);
    /// `nbuckets` asks for bucket statistics.
    public static func check(_ volume: FamfsVolume, systemUUID: FamfsUUID?, nbuckets: Int? = nil) -> FsckReport {
        check(superblock: volume.superblock, header: volume.header, log: volume.log,
              systemUUID: systemUUID, nbuckets: nbuckets,
              rereadsBadSlots: volume.logFile.kind != .imageFile, doneWith: volume.dropLogPages)
    }

    /// The check over validated metadata and the log bytes (header first). On shared memory
    /// (`rereadsBadSlots`) a slot that fails is read once more before it is reported, since
    /// another host's write may have been in flight. `doneWith` is told which log bytes the
    /// check no longer needs.
    public static func check(superblock: Superblock, header: LogHeader, log: UnsafeRawBufferPointer,
                             systemUUID: FamfsUUID?, nbuckets: Int? = nil, rereadsBadSlots: Bool = false,
                             doneWith: (Range<Int>) -> Void = { _ in }) -> FsckReport {
        var report = FsckReport(
            superblock: superblock, role: systemUUID == superblock.systemUUID ? .owner : .client, header: header)
        if header.seqnumMismatch {
            report.warnings.append("log header next_seqnum \(header.nextSeqnum) differs from next_index \(header.nextIndex)")
        }
        var bitmap: AllocationBitmap?
        if superblock.deviceSize / superblock.allocationUnit <= maximumUnits {
            bitmap = AllocationBitmap(superblock: superblock)
        } else {
            report.allocationChecked = false
            report.problems.append(.init(index: header.nextIndex, path: nil, what:
                "superblock device size \(superblock.deviceSize) needs more than \(maximumUnits) allocation units; allocation not checked"))
        }
        let geometry = LogEntry.Geometry(superblock)
        let slots = LogScan.slotsInUse(log, header: header)
        var window = 0..<min(slots, windowSlots)
        while !window.isEmpty {
            let kinds = SlotKind.classify(log, slots: window, geometry: geometry)
            for (index, kind) in zip(window, kinds) {
                tally(LogScan.slot(log, index), index: index, kind: kind, geometry: geometry,
                      rereads: rereadsBadSlots, into: &report, bitmap: &bitmap)
            }
            doneWith(Int(LogHeader.size) + window.lowerBound * Int(LogEntry.size)
                     ..< Int(LogHeader.size) + window.upperBound * Int(LogEntry.size))
            window = window.upperBound..<min(slots, window.upperBound + windowSlots)
        }
        if let bitmap {
            report.collisions = bitmap.collisions
            report.allocatedBytes = bitmap.allocatedBytes
            report.bitmapCapacity = bitmap.capacityBytes
            if let nbuckets { report.buckets = BucketStatistics(bitmap: bitmap, buckets: nbuckets) }
        }
        return report
    }

    /// Adds one classified slot to the report: counts, the size sum and the bitmap for a
    /// valid file (an entry whose units were already in use is a problem of its own), the
    /// problem of a bad slot, a warning for an ignored type.
    private static func tally(_ slot: UnsafeRawBufferPointer, index: Int, kind: SlotKind, geometry: LogEntry.Geometry,
                              rereads: Bool, into report: inout FsckReport, bitmap: inout AllocationBitmap?) {
        switch kind {
        case .directory:
            report.directories += 1
        case .file:
            report.files += 1
            let (sum, overflow) = report.fileSizeSum.addingReportingOverflow(slot.u64(at: 16))
            report.fileSizeSum = overflow ? .max : sum
            guard bitmap != nil else { return }
            let before = bitmap!.collisions
            LogEntry.forEachExtent(slot) { bitmap!.mark($0) }
            let collided = bitmap!.collisions - before
            if collided > 0 {
                report.problems.append(.init(
                    index: UInt64(index), path: slot.cString(at: 40, fieldSize: LogEntry.pathFieldSize),
                    what: "allocation collision: \(collided) allocation units already in use"))
            }
        case .bad:
            // Upstream re-reads after a cache invalidation but prints the message twice; a
            // second look here, one message.
            if rereads, LogEntry.check(slot, index: UInt64(index), geometry: geometry) == nil {
                return tally(slot, index: index, kind: SlotKind(validType: slot.u32(at: 8)), geometry: geometry,
                             rereads: false, into: &report, bitmap: &bitmap)
            }
            report.badEntryCount += 1
            if let problem = LogEntry.check(slot, index: UInt64(index), geometry: geometry) {
                report.problems.append(.init(index: UInt64(index), path: LogEntry.bestEffortPath(slot), what: problem.description))
            }
        case .ignored:
            report.warnings.append("log entry \(index): unknown entry type \(slot.u32(at: 8)) (ignored)")
        case .addDaxdev:
            break
        }
    }
}
