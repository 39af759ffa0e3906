// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Opens famfs targets. Char dax devices are looked up under an injectable sysfs root, so
/// tests and VMs can stand in a captured or simulated tree for `/sys`.
public protocol DeviceOpening: Sendable {
    func open(_ path: String, writable: Bool) throws(DeviceError) -> FamfsDevice
}

public struct DeviceOpener: DeviceOpening {
    public var sysfsRoot: String

    /// Mapping alignment of a dax device whose `align` attribute is missing (static regions).
    static let defaultDaxAlignment: UInt64 = 0x20_0000

    public init(sysfsRoot: String = "/sys") {
        self.sysfsRoot = sysfsRoot
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
        let (major, minor) = Self.split(rdev)
        let directory = "\(sysfsRoot)/dev/char/\(major):\(minor)"
        guard let sizeText = SysfsFile.read("\(directory)/size"), let size = UInt64(sizeText) else {
            throw .notInSysfs(path: path, sysfsPath: "\(directory)/size")
        }
        let name = SysfsFile.resolvedName(directory) ?? "dax\(major):\(minor)"
        let driver = SysfsFile.linkTarget("\(directory)/driver").map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        guard driver == "device_dax" else { throw .wrongMode(device: name, mode: Self.modeName(driver: driver)) }
        let alignment = SysfsFile.read("\(directory)/align").flatMap { UInt64($0) } ?? Self.defaultDaxAlignment
        return DaxAttributes(name: name, size: size, alignment: max(alignment, 4096))
    }

    /// Name and size of a block device (pmem, or a loop device over an image) from
    /// `<sysfs>/dev/block/MAJ:MIN/size`, which counts 512-byte sectors whatever the block size.
    func blockAttributes(_ path: String, rdev: UInt64) throws(DeviceError) -> (name: String, size: UInt64) {
        let (major, minor) = Self.split(rdev)
        let directory = "\(sysfsRoot)/dev/block/\(major):\(minor)"
        guard let sizeText = SysfsFile.read("\(directory)/size"), let sectors = UInt64(sizeText),
              case (let size, false) = sectors.multipliedReportingOverflow(by: 512) else {
            throw .notInSysfs(path: path, sysfsPath: "\(directory)/size")
        }
        return (SysfsFile.resolvedName(directory) ?? "\(major):\(minor)", size)
    }

    /// Major and minor numbers of a `dev_t` (glibc's encoding).
    static func split(_ rdev: UInt64) -> (major: UInt64, minor: UInt64) {
        (rdev >> 8 & 0xfff | rdev >> 32 & ~0xfff, rdev & 0xff | rdev >> 12 & ~0xff)
    }

    /// daxctl's name for the mode a driver gives a dax device.
    public static func modeName(driver: String?) -> String {
        switch driver {
        case "device_dax": return "devdax"
        case "kmem": return "system-ram"
        case "fsdev_dax": return "famfs"
        case nil: return "disabled (no driver bound)"
        case let other?: return "unknown (driver \(other))"
        }
    }
}

/// Small reads of sysfs attributes and links.
enum SysfsFile {
    /// The attribute's text without trailing whitespace, or nil when it cannot be read.
    static func read(_ path: String) -> String? {
        guard case .success(let fd) = Syscall.open(path, flags: O_RDONLY) else { return nil }
        defer { Syscall.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        var text = String(decoding: buffer[0..<count], as: UTF8.self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = Glibc.readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Last component of the fully resolved `path` (the device name behind a /sys/dev link).
    static func resolvedName(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved).split(separator: "/").last.map(String.init)
    }
}
