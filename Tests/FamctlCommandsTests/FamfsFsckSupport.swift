// SPDX-License-Identifier: Apache-2.0
import CZlib
import Foundation
import Testing

/// Runs the built `famctl` binary, as a user would, and captures what it printed.
struct Famctl {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `famctl` next to the test bundle in the build products directory.
    static let binary: String = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            products.appendingPathComponent("famctl").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/famctl").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// `famctl <arguments>`; `prefix` runs it through another program (e.g. setpriv);
    /// `environment` is added to the inherited one.
    static func run(_ arguments: [String], prefix: [String] = [], environment: [String: String] = [:]) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-run-\(UUID().uuidString)")
        let out = scratch.appendingPathExtension("out")
        let err = scratch.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prefix.first ?? binary)
        process.arguments = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [binary]) + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: out, encoding: .utf8),
                      stderr: try String(contentsOf: err, encoding: .utf8))
    }
}

/// A system tool (losetup, mount, python3) run to completion.
enum SystemTool {
    /// Its exit status and what it printed (stdout and stderr together).
    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}

/// The upstream fixtures of FamfsKitTests, used here through files on disk.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FamfsKitTests/Fixtures")
    static let systemUUID = "c0ffee00-1234-4abc-8def-0123456789ab"

    static func image(_ name: String) throws -> Data {
        let path = directory.appendingPathComponent("\(name).img.gz").path
        guard let file = gzopen(path, "rb") else { throw CocoaError(.fileReadNoSuchFile) }
        defer { gzclose(file) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count <= 0 { break }
            data.append(contentsOf: chunk[0..<Int(count)])
        }
        return data
    }

    /// The upstream report from `Famfs Superblock:` on.
    static func report(_ name: String) throws -> String {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        guard let start = text.range(of: "Famfs Superblock:") else { return "" }
        return text[start.lowerBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("exit=") }.joined(separator: "\n")
    }
}

/// A temporary directory with helpers to make targets in it.
final class Scratch {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Fixtures.systemUUID.write(toFile: systemUUIDFile, atomically: true, encoding: .utf8)
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
