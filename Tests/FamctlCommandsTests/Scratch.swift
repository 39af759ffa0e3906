// SPDX-License-Identifier: Apache-2.0
import CZlib
import FamctlTestSupport
import Foundation
import Testing

/// A temporary directory with helpers to make targets in it.
final class Scratch {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Fixture.systemUUID.write(toFile: systemUUIDFile, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var systemUUIDFile: String { "\(path)/system_uuid" }

    /// Writes `data` to `name`, extended (sparse) to `size`.
    func file(_ name: String, _ data: Data = Data(), size: UInt64? = nil) throws -> String {
        let file = "\(path)/\(name)"
        try data.write(to: URL(fileURLWithPath: file))
        if let size { try FileHandle(forWritingTo: URL(fileURLWithPath: file)).truncate(atOffset: size) }
        return file
    }

    /// A sysfs tree under the scratch directory in which /dev/null (char 1:3) is dax0.0,
    /// a device of `size` bytes (8 GiB) bound to `driver`; returns its root.
    func nullAsDaxDevice(driver: String, size: UInt64 = 8 << 30) throws -> String {
        let root = "\(path)/sys"
        let device = "\(root)/devices/platform/hmem.0/dax0.0"
        let fm = FileManager.default
        try fm.createDirectory(atPath: device, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(root)/bus/dax/drivers/\(driver)", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(root)/dev/char", withIntermediateDirectories: true)
        try "\(size)\n".write(toFile: "\(device)/size", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: "\(device)/driver", withDestinationPath: "../../../../bus/dax/drivers/\(driver)")
        try fm.createSymbolicLink(atPath: "\(root)/dev/char/1:3", withDestinationPath: "../../devices/platform/hmem.0/dax0.0")
        return root
    }

    /// The digest of a regular file; nil for anything else (missing, directory).
    static func digestIfFile(_ path: String) throws -> UInt? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return try digest(path)
    }

    /// A digest of the file's first `count` bytes, to prove a target unchanged.
    static func digest(_ path: String, count: Int = 12 << 20) throws -> UInt {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let data = try handle.read(upToCount: count) ?? Data()
        return data.withUnsafeBytes { crc32(0, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32($0.count)) }
    }
}
