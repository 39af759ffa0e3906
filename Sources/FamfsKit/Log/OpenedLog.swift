/// A famfs file system opened for its log: the device or image, its validated superblock and
/// log header, and the log region mapped (writable for appends).
///
/// Opening takes the `flock` first and validates afterwards, so what is validated is what the
/// command works on: appenders hold the lock exclusively for the whole command, readers
/// share it and never see a half-advanced header from a famctl writer.
public final class OpenedLog {
    public let device: FamfsDevice
    public let superblock: Superblock
    public internal(set) var header: LogHeader
    /// The log region: header, then the slots.
    let region: MappedRegion

    public enum Access: Sendable {
        /// Shared lock, read-only mapping.
        case read
        /// Exclusive lock, writable mapping.
        case append
    }

    public init(path: String, access: Access, opener: some DeviceOpening = DeviceOpener()) throws(LogOpenError) {
        let writable = access == .append
        let superblockRegion: MappedRegion
        do throws(DeviceError) {
            device = try opener.open(path, writable: writable)
            try device.lock(exclusive: writable)
            superblockRegion = try device.map(offset: 0, length: UInt64(Superblock.size))
        } catch {
            throw .device(error)
        }
        switch Superblock.validate(superblockRegion.readOnlyBytes) {
        case .success(let value): superblock = value
        case .failure(let problem): throw .superblock(path: path, problem)
        }
        do throws(DeviceError) {
            region = try device.map(offset: superblock.logOffset, length: superblock.logLength, writable: writable)
        } catch {
            throw .device(error)
        }
        switch LogHeader.validate(region.readOnlyBytes, superblock: superblock) {
        case .success(let value): header = value
        case .failure(let problem): throw .logHeader(path: path, problem)
        }
    }

    /// Every slot below next_index, validated.
    public func scan() -> LogScan {
        LogScan(log: region.readOnlyBytes, header: header, superblock: superblock)
    }

    /// Number of slots in the log.
    public var slotCount: UInt64 { header.lastIndex + 1 }
}

public enum LogOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    case device(DeviceError)
    case superblock(path: String, SuperblockProblem)
    case logHeader(path: String, LogHeaderProblem)

    public var description: String {
        switch self {
        case .device(let error): return error.description
        case .superblock(let path, let problem): return "\(path): \(problem)"
        case .logHeader(let path, let problem): return "\(path): \(problem)"
        }
    }
}
