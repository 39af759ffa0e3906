// SPDX-License-Identifier: Apache-2.0
import Glibc

/// What `mkfs` is asked to do; the command line maps onto this one to one.
public struct MkfsRequest: Equatable, Sendable {
    public var target: String
    public var force = false
    /// With `force`: zero the superblock magic only.
    public var kill = false
    public var dryRun = false
    public var logLength = Famfs.defaultLogLength
    public var formatVersion = Famfs.currentVersion
    /// Random when nil.
    public var fsUUID: FamfsUUID?
    public var deviceUUID: FamfsUUID?
    /// Recorded in the superblock's dd_name; the target path as given when nil.
    public var deviceName: String?
    /// This host's identity: the new file system's owner.
    public var systemUUID: FamfsUUID
    /// Create the image file with this size (sparse), or grow an empty one.
    public var imageSize: UInt64?
    public var minimumDeviceSize = Famfs.minimumDeviceSize

    public init(target: String, systemUUID: FamfsUUID) {
        self.target = target
        self.systemUUID = systemUUID
    }
}

/// What mkfs wrote (or, on a dry run, would write).
public struct MkfsPlan: Equatable, Sendable {
    public var target: String
    public var deviceKind: FamfsDevice.Kind
    public var deviceSize: UInt64
    public var superblock: Superblock
    public var header: LogHeader
    /// The superblock that was there before (overwritten or killed with --force).
    public var previous: Superblock?
    /// Other file systems, partition tables, RAID members overwritten with --force.
    public var replacedSignatures: [ForeignSignature] = []
    public var createdImage: Bool
}

public enum MkfsOutcome: Equatable, Sendable {
    /// The new file system and fsck's report of it, read back from the target (computed from
    /// the planned bytes on a dry run).
    case formatted(MkfsPlan, FsckReport)
    /// `--kill`: the magic of the superblock was zeroed (not on a dry run).
    case killed(MkfsPlan)
}

/// mkfs: checks the target (type, mode, size, mounts, existing superblock), then writes the
/// empty log and the superblock in an order that never leaves a valid superblock in front
/// of a stale log: the old superblock region is cleared first, the log is written and
/// flushed, and the new superblock comes last. Nothing past the log is touched.
public struct Mkfs: Sendable {
    public var devices: any DeviceOpening
    public var mountTable: MountTable

    public init(devices: any DeviceOpening = DeviceOpener(), mountTable: MountTable = MountTable()) {
        self.devices = devices
        self.mountTable = mountTable
    }

    public func run(_ request: MkfsRequest) throws(MkfsError) -> MkfsOutcome {
        let path = request.target
        var createdImage = false
        if let size = request.imageSize {
            // Everything the size decides is checked before a file exists: a refusal leaves none.
            try checkGeometry(path, size: size, request)
            createdImage = try prepareImage(path, size: size, dryRun: request.dryRun)
        }
        if request.dryRun, createdImage, let size = request.imageSize {
            let plan = try makePlan(request, kind: .imageFile, size: size, previous: nil, createdImage: true)
            return .formatted(plan, Self.report(of: plan))
        }
        guard createdImage else { return try format(request, createdImage: false) }
        do { return try format(request, createdImage: true) } catch {
            // The image did not exist before this command: a failure takes it away again.
            unlink(path)
            throw error
        }
    }

    /// mkfs proper on an existing target (created by this command when `createdImage`).
    private func format(_ request: MkfsRequest, createdImage: Bool) throws(MkfsError) -> MkfsOutcome {
        let path = request.target
        let device: FamfsDevice
        do {
            device = try devices.open(path, writable: !request.dryRun)
            // Serialises with famctl appenders for the whole format, as they lock for theirs.
            try device.lock(exclusive: !request.dryRun)
        } catch {
            throw .device(error)
        }
        try checkGeometry(path, size: device.size, request)
        // A size no famfs reader accepts (its own fsck would refuse the superblock), e.g. a
        // made-up sysfs size: refused before anything is sized from it.
        let maximum = Famfs.maximumAllocationUnits * Famfs.allocationUnit
        guard device.size <= maximum else { throw .tooLarge(path: path, size: device.size, maximum: maximum) }
        if let mount = mountTable.mounts(of: path).first {
            throw .mounted(path: path, mountPoint: mount.mountPoint, type: mount.type)
        }
        let (previous, problem) = try existingSuperblock(device)
        if let previous, !request.force {
            throw .existingSuperblock(path: path, previous, problem: problem, ownedHere: previous.systemUUID == request.systemUUID)
        }
        let replaced = try foreignSignatures(on: device, request)
        var plan = try makePlan(request, kind: device.kind, size: device.size, previous: previous, createdImage: createdImage)
        plan.replacedSignatures = replaced
        if request.kill {
            if !request.dryRun { try kill(device) }
            return .killed(plan)
        }
        if request.dryRun { return .formatted(plan, Self.report(of: plan)) }
        try write(plan, to: device)
        let volume: FamfsVolume
        do { volume = try VolumeOpener(devices: devices).open(device: device) } catch { throw .verifyFailed(error) }
        do { return .formatted(plan, try FsckChecker.check(volume, systemUUID: request.systemUUID)) } catch {
            throw .device(error)
        }
    }

    /// Refuses a device (or an image of `--size` bytes) too small for famfs or for the log.
    private func checkGeometry(_ path: String, size: UInt64, _ request: MkfsRequest) throws(MkfsError) {
        guard size >= request.minimumDeviceSize else {
            throw .tooSmall(path: path, size: size, minimum: request.minimumDeviceSize)
        }
        let (logEnd, overflow) = Famfs.logOffset.addingReportingOverflow(request.logLength)
        guard !overflow, logEnd < size else {
            throw .logDoesNotFit(path: path, logLength: request.logLength, deviceSize: size)
        }
    }

    /// Creates or grows the image for `--size`; true when this command creates (or would
    /// create) the file.
    private func prepareImage(_ path: String, size: UInt64, dryRun: Bool) throws(MkfsError) -> Bool {
        guard size <= FamfsDevice.largestImageSize else { throw .imageTooLarge(path: path, size: size) }
        switch Syscall.status(path) {
        case .failure(.noSuchFileOrDirectory):
            if dryRun { return true }
            do { return try FamfsDevice.createImage(path, size: size) } catch { throw .device(error) }
        case .success(let info) where info.st_mode & S_IFMT == S_IFREG:
            guard info.st_size == 0 || UInt64(info.st_size) == size else {
                throw .imageSizeMismatch(path: path, size: UInt64(info.st_size), requested: size)
            }
            if info.st_size == 0, !dryRun {
                do { try FamfsDevice.createImage(path, size: size) } catch { throw .device(error) }
            }
            return false
        default:
            // Not a regular file (or not reachable): opening it says why.
            return false
        }
    }

    private func makePlan(_ request: MkfsRequest, kind: FamfsDevice.Kind, size: UInt64, previous: Superblock?,
                          createdImage: Bool) throws(MkfsError) -> MkfsPlan {
        let name = Array((request.deviceName ?? request.target).utf8)
        guard name.count < Superblock.deviceNameFieldSize else {
            throw .deviceNameTooLong(name: String(decoding: name, as: UTF8.self))
        }
        var superblock = Superblock()
        superblock.version = request.formatVersion
        superblock.omfMinor = Famfs.omfMinor(forVersion: request.formatVersion)
        superblock.logLength = request.logLength
        superblock.fsUUID = request.fsUUID ?? .random()
        superblock.deviceUUID = request.deviceUUID ?? .random()
        superblock.systemUUID = request.systemUUID
        superblock.deviceSize = size
        superblock.deviceName = name
        superblock.crc = UInt64(superblock.encoded.withUnsafeBytes { Superblock.computeCRC($0) })
        var header = LogHeader(logLength: request.logLength)
        header.crc = UInt64(header.encoded.withUnsafeBytes { LogHeader.computeCRC($0) })
        return MkfsPlan(target: request.target, deviceKind: kind, deviceSize: size, superblock: superblock,
                        header: header, previous: previous, createdImage: createdImage)
    }

    /// A superblock with famfs's magic, valid or not (a bad CRC may still be a file system
    /// someone wants back, so it needs --force too).
    private func existingSuperblock(_ device: FamfsDevice) throws(MkfsError) -> (Superblock?, SuperblockProblem?) {
        do {
            let bytes = try device.map(offset: 0, length: UInt64(Superblock.size)).read()
            return bytes.withUnsafeBytes { bytes in
                let superblock = Superblock(decoding: bytes)
                guard superblock.magic == Famfs.superblockMagic else { return (nil, nil) }
                if case .failure(let problem) = Superblock.validate(bytes) { return (superblock, problem) }
                return (superblock, nil)
            }
        } catch {
            throw .device(error)
        }
    }

    private func kill(_ device: FamfsDevice) throws(MkfsError) {
        do {
            let region = try device.map(offset: 0, length: 8, writable: true)
            try region.zero()
            try region.flush()
            try device.synchronize()
        } catch {
            throw .device(error)
        }
    }

    private func write(_ plan: MkfsPlan, to device: FamfsDevice) throws(MkfsError) {
        do {
            try device.zero(offset: 0, length: Famfs.superblockRegionSize)
            try device.zero(offset: Famfs.logOffset, length: plan.superblock.logLength)
            let log = try device.map(offset: Famfs.logOffset, length: LogHeader.size, writable: true)
            try log.reserve(0..<log.count)
            try log.write(plan.header.encoded, at: 0)
            try log.flush()
            try device.synchronize()
            let superblock = try device.map(offset: 0, length: UInt64(Superblock.size), writable: true)
            try superblock.reserve(0..<superblock.count)
            try superblock.write(plan.superblock.encoded, at: 0)
            try superblock.flush()
            try device.synchronize()
        } catch {
            throw .device(error)
        }
    }

    /// fsck's report of a planned file system, from its bytes (an empty log needs only the
    /// header).
    static func report(of plan: MkfsPlan) -> FsckReport {
        plan.header.encoded.withUnsafeBytes { log in
            FsckChecker.check(superblock: plan.superblock, header: plan.header, log: log, systemUUID: plan.superblock.systemUUID)
        }
    }
}

/// Why mkfs refused or failed. `isRefusal`: mkfs's own checks found the target unsuitable and nothing was
/// written; otherwise opening, reading or writing failed.
public enum MkfsError: Error, Equatable, Sendable, CustomStringConvertible {
    case device(DeviceError)
    case tooSmall(path: String, size: UInt64, minimum: UInt64)
    case tooLarge(path: String, size: UInt64, maximum: UInt64)
    case logDoesNotFit(path: String, logLength: UInt64, deviceSize: UInt64)
    case mounted(path: String, mountPoint: String, type: String)
    /// `problem`: why the old superblock is not valid, when it is not.
    case existingSuperblock(path: String, Superblock, problem: SuperblockProblem?, ownedHere: Bool)
    /// libblkid found another file system, partition table or RAID member (no --force).
    case foreignSignatures(path: String, [ForeignSignature], dryRun: Bool)
    case probeFailed(SignatureProbeError)
    case deviceNameTooLong(name: String)
    case imageSizeMismatch(path: String, size: UInt64, requested: UInt64)
    /// `--size` past the largest file Linux can have (off_t).
    case imageTooLarge(path: String, size: UInt64)
    /// The new file system did not read back as valid.
    case verifyFailed(VolumeError)

    public var isRefusal: Bool {
        switch self {
        // What keeps the target from being opened or used is the same failure in every famfs
        // command (exit 3 there), not a refusal of mkfs's own.
        case .device, .verifyFailed, .probeFailed: return false
        case .tooSmall, .tooLarge, .logDoesNotFit, .mounted, .existingSuperblock, .foreignSignatures, .deviceNameTooLong,
             .imageSizeMismatch, .imageTooLarge:
            return true
        }
    }

    public var description: String {
        switch self {
        case .device(let error):
            return error.description
        case .tooLarge(let path, let size, let maximum):
            return "\(path): unsupported device size \(size) bytes (famfs holds at most \(maximum) bytes, 8 PiB of 2 MiB units)"
        case .tooSmall(let path, let size, let minimum):
            return "\(path): unsupported device size \(size) bytes (famfs needs at least \(minimum) bytes, 4 GiB)"
        case .logDoesNotFit(let path, let logLength, let deviceSize):
            return "\(path): a \(logLength)-byte log does not fit a \(deviceSize)-byte device with room for files (choose a smaller --loglen)"
        case .mounted(let path, let mountPoint, let type):
            return "cannot mkfs while \(path) is mounted on \(mountPoint) (\(type)); unmount it first"
        case .existingSuperblock(let path, let superblock, let problem, let ownedHere):
            let validity = problem.map { "not valid: \($0)" } ?? "valid"
            return "\(path) already has a famfs superblock (fs UUID \(superblock.fsUUID), owner system UUID "
                + "\(superblock.systemUUID)\(ownedHere ? " (this host)" : " (another host)"), version \(superblock.version), "
                + "\(validity)); use --force to overwrite it, destroying that file system"
        case .foreignSignatures(let path, let signatures, let dryRun):
            return Mkfs.refusal(path: path, signatures, dryRun: dryRun)
        case .probeFailed(let error):
            return "\(error); use --force to format without the check"
        case .deviceNameTooLong(let name):
            return "device name \(name) is \(name.utf8.count) bytes; the superblock holds at most 63 (use --device-name)"
        case .imageSizeMismatch(let path, let size, let requested):
            return "\(path): exists with \(size) bytes; --size \(requested) only creates a new image or grows an empty one"
        case .imageTooLarge(let path, let size):
            return "\(path): --size \(size) is larger than any file can be (at most \(FamfsDevice.largestImageSize) bytes)"
        case .verifyFailed(let error):
            return "the new file system does not read back: \(error)"
        }
    }
}

