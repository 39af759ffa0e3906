// SPDX-License-Identifier: Apache-2.0
/// An open famfs file system: its validated superblock and log header and the mapped log,
/// read from a device, an image file or the meta files of a mounted famfs.
///
/// ```
///  source            superblock bytes                log bytes (header first)
///  device / image    target [0, 2 MiB)               target [log_offset, + log_len)
///  mounted famfs     <mnt>/.meta/.superblock [0, …)  <mnt>/.meta/.log [0, log_len)
/// ```
///
/// Every reader and writer of the format starts here (`VolumeOpener.open`), so the
/// validation order and the refusals are the same for fsck, logplay, mkdir and creat.
public final class FamfsVolume {
    public enum Source {
        /// A char dax device or an image file holding the whole metadata region.
        case device(FamfsDevice)
        /// The meta files of a mounted famfs, found from a path inside the mount.
        case mounted(mountPoint: String, superblockFile: FamfsDevice, logFile: FamfsDevice)
    }

    /// The path as given.
    public let path: String
    public let source: Source
    public let superblock: Superblock
    public let header: LogHeader
    private let logRegion: MappedRegion

    init(path: String, source: Source, superblock: Superblock, header: LogHeader, logRegion: MappedRegion) {
        self.path = path
        self.source = source
        self.superblock = superblock
        self.header = header
        self.logRegion = logRegion
    }

    /// The log region for appends (`log_len` bytes, header first); written only through
    /// its guarded copies.
    var writableLog: MappedRegion {
        precondition(logFile.writable, "volume opened read-only")
        return logRegion
    }

    /// Writes back `range` of the log (relative to the log region).
    public func flushLog(_ range: Range<Int>) throws(DeviceError) {
        try logRegion.flush(range)
    }

    /// Maps `range` of the log (relative to the log region) on its own, read-only and
    /// populated (it is read whole at once): a scan that maps and releases windows keeps only
    /// a window resident, whatever page sizes the page cache uses for the file.
    public func mapLog(_ range: Range<Int>) throws(DeviceError) -> MappedRegion {
        try logFile.map(offset: logFileOffset + UInt64(range.lowerBound), length: UInt64(range.count), populate: true)
    }

    /// A copy of `range` of the log, read through a window of its own.
    public func readLog(_ range: Range<Int>) throws(DeviceError) -> [UInt8] {
        try mapLog(range).read()
    }

    /// Where the log starts in `logFile`.
    private var logFileOffset: UInt64 {
        if case .device = source { return superblock.logOffset }
        return 0
    }

    /// The device, image or meta file that holds the log: the one to lock and re-read.
    public var logFile: FamfsDevice {
        switch source {
        case .device(let device): return device
        case .mounted(_, _, let logFile): return logFile
        }
    }

    /// Checks every slot below next_index of `header` (the volume's unless an append moved
    /// it on), from a copy of those slots.
    public func scan(header: LogHeader? = nil) throws(VolumeError) -> LogScan {
        let header = header ?? self.header
        let slots = LogScan.slotsInUse(logLength: superblock.logLength, header: header)
        let bytes: [UInt8]
        do { bytes = try readLog(0..<SlotRun.logRange(0..<slots).upperBound) } catch { throw .device(error) }
        return bytes.withUnsafeBytes { LogScan(log: $0, header: header, superblock: self.superblock) }
    }

    /// An image holding only the metadata (as the fixtures do): the device size comes from
    /// the superblock.
    public var isShorterThanDevice: Bool {
        if case .device(let device) = source, device.kind == .imageFile { return device.size < superblock.deviceSize }
        return false
    }
}

/// Opens a famfs target for reading (fsck, logplay) or appending (mkdir, creat).
public struct VolumeOpener: Sendable {
    public var devices: any DeviceOpening
    public var mountTablePath: String

    public init(devices: any DeviceOpening = DeviceOpener(), mountTablePath: String = MountTable.defaultPath) {
        self.devices = devices
        self.mountTablePath = mountTablePath
    }

    /// Opens `path` — a dax device, an image file, or any path inside a mounted famfs —,
    /// takes the `flock` on what holds the log (exclusive when `writable`, else shared) and
    /// only then validates the superblock and the log header, so what is validated is what
    /// the command works on; the lock lasts as long as the volume. Nothing is written.
    public func open(_ path: String, writable: Bool = false) throws(VolumeError) -> FamfsVolume {
        if let mount = MountTable(path: mountTablePath).famfsMount(containing: path) {
            return try openMounted(path, mountPoint: mount.mountPoint, writable: writable)
        }
        let device: FamfsDevice
        do { device = try devices.open(path, writable: writable) } catch { throw .device(error) }
        return try open(device: device)
    }

    /// Validates the metadata of a device or image that is already open (mkfs re-reads what
    /// it wrote this way); the log is mapped writable when the device is.
    public func open(device: FamfsDevice) throws(VolumeError) -> FamfsVolume {
        let path = device.path
        let writable = device.writable
        do { try device.lock(exclusive: writable) } catch { throw .device(error) }
        let superblockRegion = try mapSuperblock(device, path: path)
        let superblock = try validatedSuperblock(superblockRegion, path: path)
        let logEnd = superblock.logOffset + superblock.logLength
        guard device.size >= logEnd else {
            throw .truncated(path: path, size: device.size, needed: logEnd, holding: "the log")
        }
        let logRegion: MappedRegion
        do {
            logRegion = try device.map(offset: superblock.logOffset, length: superblock.logLength, writable: writable)
        } catch { throw .device(error) }
        let header = try validatedHeader(device, at: superblock.logOffset, superblock: superblock, path: path)
        return FamfsVolume(path: path, source: .device(device), superblock: superblock, header: header,
                           logRegion: logRegion)
    }

    private func openMounted(_ path: String, mountPoint: String, writable: Bool) throws(VolumeError) -> FamfsVolume {
        let meta = mountPoint == "/" ? "/.meta" : "\(mountPoint)/.meta"
        let superblockFile: FamfsDevice
        let logFile: FamfsDevice
        do {
            superblockFile = try devices.open("\(meta)/.superblock", writable: false)
            logFile = try devices.open("\(meta)/.log", writable: writable)
            try logFile.lock(exclusive: writable)
        } catch { throw .device(error) }
        let superblockRegion = try mapSuperblock(superblockFile, path: superblockFile.path)
        let superblock = try validatedSuperblock(superblockRegion, path: superblockFile.path)
        guard logFile.size == superblock.logLength else {
            throw .logFileLength(path: logFile.path, size: logFile.size, expected: superblock.logLength)
        }
        let logRegion: MappedRegion
        do { logRegion = try logFile.map(offset: 0, length: superblock.logLength, writable: writable) } catch {
            throw .device(error)
        }
        let header = try validatedHeader(logFile, at: 0, superblock: superblock, path: logFile.path)
        return FamfsVolume(
            path: path, source: .mounted(mountPoint: mountPoint, superblockFile: superblockFile, logFile: logFile),
            superblock: superblock, header: header, logRegion: logRegion)
    }

    private func mapSuperblock(_ device: FamfsDevice, path: String) throws(VolumeError) -> MappedRegion {
        guard device.size >= UInt64(Superblock.size) else {
            throw .truncated(path: path, size: device.size, needed: UInt64(Superblock.size), holding: "a superblock")
        }
        // Only the structure: a larger mapping of a file cached in large folios would be
        // resident whole.
        do { return try device.map(offset: 0, length: UInt64(Superblock.size)) } catch {
            throw .device(error)
        }
    }

    private func validatedSuperblock(_ region: MappedRegion, path: String) throws(VolumeError) -> Superblock {
        let bytes: [UInt8]
        do { bytes = try region.read() } catch { throw .device(error) }
        switch bytes.withUnsafeBytes({ Superblock.validate($0) }) {
        case .success(let superblock): return superblock
        case .failure(let problem): throw .superblock(path: path, problem)
        }
    }

    /// Validates the header through a mapping of its own, so the log region's mapping stays
    /// untouched until someone reads entries (fsck maps windows instead).
    private func validatedHeader(_ file: FamfsDevice, at offset: UInt64, superblock: Superblock,
                                 path: String) throws(VolumeError) -> LogHeader {
        let bytes: [UInt8]
        do { bytes = try file.map(offset: offset, length: LogHeader.size).read() } catch { throw .device(error) }
        switch bytes.withUnsafeBytes({ LogHeader.validate($0, superblock: superblock) }) {
        case .success(let header): return header
        case .failure(let problem): throw .logHeader(path: path, problem)
        }
    }
}

/// Why a famfs target cannot be used, from "cannot open" to "log header invalid".
public enum VolumeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The target (or a meta file) cannot be opened or mapped.
    case device(DeviceError)
    /// The target ends before the metadata it must hold.
    case truncated(path: String, size: UInt64, needed: UInt64, holding: String)
    case superblock(path: String, SuperblockProblem)
    case logHeader(path: String, LogHeaderProblem)
    /// A mounted famfs whose `.meta/.log` is not `log_len` bytes long.
    case logFileLength(path: String, size: UInt64, expected: UInt64)

    public var description: String {
        switch self {
        case .device(let error):
            return error.description
        case .truncated(let path, let size, let needed, let holding):
            return "\(path): truncated: \(size) bytes, too short to hold \(holding) (needs \(needed) bytes)"
        case .superblock(let path, let problem):
            return "\(path): invalid superblock: \(problem)"
        case .logHeader(let path, let problem):
            return "\(path): invalid log header: \(problem)"
        case .logFileLength(let path, let size, let expected):
            return "\(path): log file length is invalid (\(size) bytes, the superblock says \(expected))"
        }
    }
}
