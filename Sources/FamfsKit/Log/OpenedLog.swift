/// A famfs file system opened for its log (through `VolumeOpener`: a dax device, an image
/// file or a path inside a mounted famfs), with the `flock` on the log held for as long as
/// this object lives: exclusive for appends, shared for readers.
///
/// The header is read again once the lock is held, so what a command plans against is what
/// the previous lock holder committed, never a header validated before another writer's
/// append.
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
        do throws(DeviceError) { try volume.lock(exclusive: access == .append) } catch { throw .device(error) }
        switch LogHeader.validate(volume.log, superblock: volume.superblock) {
        case .success(let value): header = value
        case .failure(let problem): throw .logHeader(path: volume.logFile.path, problem)
        }
    }

    public var superblock: Superblock { volume.superblock }

    /// Every slot below next_index, validated.
    public func scan() -> LogScan {
        LogScan(log: volume.log, header: header, superblock: superblock)
    }

    /// Number of slots in the log.
    public var slotCount: UInt64 { header.lastIndex + 1 }
}
