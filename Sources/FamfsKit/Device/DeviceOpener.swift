// SPDX-License-Identifier: Apache-2.0
import Glibc
import SystemPackage

/// Opens famfs targets. Char and block devices are looked up through a `Sysfs` (the one
/// the dax commands use), so tests and VMs can stand in a captured or simulated kernel.
public protocol DeviceOpening: Sendable {
    func open(_ path: String, writable: Bool) throws(DeviceError) -> FamfsDevice
}

public struct DeviceOpener: DeviceOpening, @unchecked Sendable {
    // Unchecked: HostSysfs is immutable; the other Sysfs (a simulated kernel) is a test's,
    // which opens devices on the thread that owns it.
    public var sysfs: Sysfs

    /// Mapping alignment of a dax device whose `align` attribute is missing (static regions).
    static let defaultDaxAlignment: UInt64 = 0x20_0000

    public init(sysfs: Sysfs) {
        self.sysfs = sysfs
    }

    public init(sysfsRoot: String = "/sys") {
        self.init(sysfs: HostSysfs(root: sysfsRoot))
    }

    public func open(_ path: String, writable: Bool) throws(DeviceError) -> FamfsDevice {
        let info: FileStatus
        switch Syscall.status(path) {
        case .success(let value): info = value
        case .failure(.noSuchFileOrDirectory): throw .notFound(path: path)
        case .failure(let code): throw .cannotOpen(path: path, errno: code.rawValue)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            let fd = try openDescriptor(path, writable: writable)
            let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
            return FamfsDevice(
                path: path, kind: .imageFile, size: UInt64(info.st_size), mappingAlignment: pageSize,
                writable: writable, fd: fd)
        case S_IFCHR:
            let dax = try daxAttributes(path, rdev: UInt64(info.st_rdev))
            let fd = try openDescriptor(path, writable: writable)
            return FamfsDevice(
                path: path, kind: .charDax(name: dax.name), size: dax.size, mappingAlignment: dax.alignment,
                writable: writable, fd: fd)
        case S_IFDIR:
            throw .isDirectory(path: path)
        case S_IFBLK:
            let block = try blockAttributes(path, rdev: UInt64(info.st_rdev))
            let fd = try openDescriptor(path, writable: writable)
            let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
            return FamfsDevice(
                path: path, kind: .blockDevice(name: block.name), size: block.size, mappingAlignment: pageSize,
                writable: writable, fd: fd)
        default:
            throw .unsupportedType(path: path, type: "special file")
        }
    }

    private func openDescriptor(_ path: String, writable: Bool) throws(DeviceError) -> Int32 {
        switch Syscall.open(path, flags: writable ? O_RDWR : O_RDONLY) {
        case .success(let fd): return fd
        case .failure(let code): throw .cannotOpen(path: path, errno: code.rawValue)
        }
    }

    struct DaxAttributes {
        var name: String
        var size: UInt64
        var alignment: UInt64
    }

    /// Size, alignment and mode of a char dax device from `<sysfs>/dev/char/MAJ:MIN`.
    func daxAttributes(_ path: String, rdev: UInt64) throws(DeviceError) -> DaxAttributes {
        let number = DeviceNumber(rdev: rdev)
        let directory = "dev/char/\(number)"
        guard let size = attribute("\(directory)/size") else {
            throw .notInSysfs(path: path, sysfsPath: SysfsPath.absolute("\(directory)/size", root: sysfs.root))
        }
        let name = sysfs.readLink(directory).map(SysfsPath.basename) ?? number.description
        let driver = sysfs.readLink("\(directory)/driver").map(SysfsPath.basename)
        guard driver == DaxDriver.deviceDax else { throw .wrongMode(device: name, mode: DaxMode.name(ofDriver: driver)) }
        let alignment = attribute("\(directory)/align") ?? Self.defaultDaxAlignment
        return DaxAttributes(name: name, size: size, alignment: max(alignment, 4096))
    }

    /// Name and size of a block device (pmem, or a loop device over an image) from
    /// `<sysfs>/dev/block/MAJ:MIN/size`, which counts 512-byte sectors whatever the block size.
    func blockAttributes(_ path: String, rdev: UInt64) throws(DeviceError) -> (name: String, size: UInt64) {
        let number = DeviceNumber(rdev: rdev)
        let directory = "dev/block/\(number)"
        guard let sectors = attribute("\(directory)/size"), case (let size, false) = sectors.multipliedReportingOverflow(by: 512) else {
            throw .notInSysfs(path: path, sysfsPath: SysfsPath.absolute("\(directory)/size", root: sysfs.root))
        }
        return (sysfs.readLink(directory).map(SysfsPath.basename) ?? number.description, size)
    }

    /// A decimal attribute, or nil when it is missing or not a number.
    private func attribute(_ path: String) -> UInt64? {
        (try? sysfs.read(path)).flatMap { UInt64($0) }
    }
}
