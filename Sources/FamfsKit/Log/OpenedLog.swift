// SPDX-License-Identifier: Apache-2.0
/// A famfs file system opened for its log (through `VolumeOpener`: a dax device, an image
/// file or a path inside a mounted famfs). The opener takes the `flock` on the log before it
/// validates anything and the lock lasts as long as this object: exclusive for appends, so a
/// command plans against exactly what the previous writer committed; shared for readers.
public final class OpenedLog {
    public let volume: FamfsVolume
    public internal(set) var header: LogHeader

    public enum Access: Sendable {
        /// Shared lock, read-only mapping.
        case read
        /// Exclusive lock, writable mapping.
        case append
    }

    public init(path: String, access: Access, opener: VolumeOpener = VolumeOpener()) throws(VolumeError) {
        volume = try opener.open(path, writable: access == .append)
        header = volume.header
    }

    public var superblock: Superblock { volume.superblock }

    /// Every slot below next_index, validated.
    public func scan() throws(VolumeError) -> LogScan {
        try volume.scan(header: header)
    }

    /// Number of slots in the log.
    public var slotCount: UInt64 { header.lastIndex + 1 }
}
