// SPDX-License-Identifier: Apache-2.0
/// Everything fsck found, as numbers: the text layouts (upstream's report, JSON) are views
/// of this one model.
public struct FsckReport: Equatable, Sendable {
    public enum Role: String, Equatable, Sendable {
        /// This host's system UUID is the superblock's: the master, the only one that appends.
        case owner = "Owner"
        case client = "Client"
    }

    /// One line of the problem list: an entry that fsck rejected or that collides with
    /// earlier allocations.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var index: UInt64
        public var path: [UInt8]?
        public var what: String

        public var description: String {
            let name = path.map { FamfsPath.escaped($0) } ?? "(none)"
            return "log entry \(index), path \(name): \(what)"
        }
    }

    public var superblock: Superblock
    public var role: Role
    public var header: LogHeader
    /// Bad entries and allocation collisions, in log order.
    public var problems: [Problem] = []
    /// Findings that do not fail the check (unknown entry types, next_seqnum drift).
    public var warnings: [String] = []
    /// Facts worth knowing that are not findings (a metadata-only image).
    public var notes: [String] = []
    public var badEntryCount = 0
    public var files = 0
    public var directories = 0
    /// Σ size over valid FILE entries (saturating: sizes are not bounded by the format).
    public var fileSizeSum: UInt64 = 0
    /// Units marked twice or more, one per extra marking.
    public var collisions: UInt64 = 0
    /// Set bits · AU, the reserved metadata included.
    public var allocatedBytes: UInt64 = 0
    /// `ceil(dd_size / AU) · AU`: upstream's "Bitmap capacity".
    public var bitmapCapacity: UInt64 = 0
    /// Per-bucket figures when asked for (`-B`).
    public var buckets: BucketStatistics?

    public var slotCount: UInt64 { header.slotCount }
    public var logBytesInUse: UInt64 { LogHeader.size + LogEntry.size * header.nextIndex }
    public var freeBytes: UInt64 { bitmapCapacity &- allocatedBytes }
    /// allocated / Σ file sizes; infinite for a file system without file data.
    public var spaceAmplification: Double { Double(allocatedBytes) / Double(fileSizeSum) }
    public var percentUsed: Double { 100 * Double(allocatedBytes) / Double(bitmapCapacity) }
    /// Slot bytes a full log uses (header plus every slot).
    public var usableLogSize: UInt64 { LogHeader.size + LogEntry.size * header.slotCount }

    /// Clean means no bad entry and no collision; warnings do not count.
    public var isClean: Bool { problems.isEmpty && badEntryCount == 0 && collisions == 0 }
}
