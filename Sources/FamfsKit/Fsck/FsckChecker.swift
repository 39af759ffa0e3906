/// fsck proper: scans the log of an open volume, rebuilds the allocation bitmap and fills a
/// `FsckReport`. Valid slots are read in place, so a full 256 MiB log costs one pass of
/// CRCs over both cores and a few bytes of memory per slot.
public enum FsckChecker {
    /// Largest bitmap rebuilt (2^30 units: 2 PiB of 2 MiB units, 4 TiB of 4 KiB units); a
    /// superblock claiming more is reported instead of exhausting memory.
    static let maximumUnits: UInt64 = 1 << 30

    /// Checks `volume`. `systemUUID` is this host's (nil: unknown, so the role is Client);
    /// `nbuckets` asks for bucket statistics.
    public static func check(_ volume: FamfsVolume, systemUUID: FamfsUUID?, nbuckets: Int? = nil) -> FsckReport {
        check(superblock: volume.superblock, header: volume.header, log: volume.log,
              systemUUID: systemUUID, nbuckets: nbuckets,
              rereadsBadSlots: volume.logFile.kind != .imageFile)
    }

    /// The check over validated metadata and the log bytes (header first). On shared memory
    /// (`rereadsBadSlots`) a slot that fails is read once more before it is reported, since
    /// another host's write may have been in flight.
    public static func check(superblock: Superblock, header: LogHeader, log: UnsafeRawBufferPointer,
                             systemUUID: FamfsUUID?, nbuckets: Int? = nil,
                             rereadsBadSlots: Bool = false) -> FsckReport {
        var report = FsckReport(
            superblock: superblock, role: systemUUID == superblock.systemUUID ? .owner : .client, header: header)
        if header.seqnumMismatch {
            report.warnings.append("log header next_seqnum \(header.nextSeqnum) differs from next_index \(header.nextIndex)")
        }
        var scan = LogScan(log: log, header: header, superblock: superblock, decodingEntries: false)
        if rereadsBadSlots { scan = rereadBadSlots(scan, log: log, superblock: superblock) }
        report.badEntryCount = scan.badEntries.count
        for bad in scan.badEntries {
            report.problems.append(.init(index: bad.index, path: bad.path, what: bad.problem.description))
        }
        for ignored in scan.ignoredEntries {
            report.warnings.append("log entry \(ignored.index): unknown entry type \(ignored.type) (ignored)")
        }

        let units = superblock.deviceSize / superblock.allocationUnit
        guard units <= maximumUnits else {
            report.problems.append(.init(index: header.nextIndex, path: nil, what:
                "superblock device size \(superblock.deviceSize) needs more than \(maximumUnits) allocation units; allocation not checked"))
            countEntries(scan, log: log, into: &report, bitmap: nil)
            return report
        }
        var bitmap = AllocationBitmap(superblock: superblock)
        countEntries(scan, log: log, into: &report, bitmap: &bitmap)
        report.collisions = bitmap.collisions
        report.allocatedBytes = bitmap.allocatedBytes
        report.bitmapCapacity = bitmap.capacityBytes
        if let nbuckets { report.buckets = BucketStatistics(bitmap: bitmap, buckets: nbuckets) }
        return report
    }

    /// Counts valid files and directories, sums file sizes and marks extents, recording
    /// each entry whose extents land on units already in use.
    private static func countEntries(_ scan: LogScan, log: UnsafeRawBufferPointer, into report: inout FsckReport,
                                     bitmap: UnsafeMutablePointer<AllocationBitmap>?) {
        for (index, kind) in scan.kinds.enumerated() {
            switch kind {
            case .directory:
                report.directories += 1
            case .file:
                let slot = LogScan.slot(log, index)
                report.files += 1
                let (sum, overflow) = report.fileSizeSum.addingReportingOverflow(slot.u64(at: 16))
                report.fileSizeSum = overflow ? .max : sum
                guard let bitmap else { continue }
                let before = bitmap.pointee.collisions
                LogEntry.forEachExtent(slot) { bitmap.pointee.mark($0) }
                let collided = bitmap.pointee.collisions - before
                if collided > 0 {
                    report.problems.append(.init(index: UInt64(index), path: slot.cString(at: 40, fieldSize: LogEntry.pathFieldSize),
                                                 what: "allocation collision: \(collided) allocation units already in use"))
                }
            case .addDaxdev, .ignored, .bad:
                continue
            }
        }
    }

    private static func countEntries(_ scan: LogScan, log: UnsafeRawBufferPointer, into report: inout FsckReport,
                                     bitmap: inout AllocationBitmap) {
        withUnsafeMutablePointer(to: &bitmap) { countEntries(scan, log: log, into: &report, bitmap: $0) }
    }

    /// Scans again when slots failed, keeping the second verdict (upstream re-reads after a
    /// cache invalidation but prints the message twice; one message here).
    private static func rereadBadSlots(_ scan: LogScan, log: UnsafeRawBufferPointer, superblock: Superblock) -> LogScan {
        guard !scan.badEntries.isEmpty else { return scan }
        return LogScan(log: log, header: scan.header, superblock: superblock, decodingEntries: false)
    }
}
