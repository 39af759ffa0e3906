import Foundation
import Testing

/// Runs the built `famctl` binary (a sibling of the test bundle in the build products
/// directory) on scratch famfs images made from the upstream fixtures.
enum FamctlBinary {
    static let url: URL = {
        let products = Bundle.main.executableURL!.deletingLastPathComponent()
        return products.appendingPathComponent("famctl")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `famctl arguments…` to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> Result {
        let process = try start(arguments, environment: environment, directory: directory)
        let out = process.standardOutputPipe.fileHandleForReading.readDataToEndOfFile()
        let err = process.standardErrorPipe.fileHandleForReading.readDataToEndOfFile()
        process.process.waitUntilExit()
        return Result(
            status: process.process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    struct Running {
        var process: Process
        var standardOutputPipe: Pipe
        var standardErrorPipe: Pipe
    }

    static func start(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> Running {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return Running(process: process, standardOutputPipe: out, standardErrorPipe: err)
    }
}

/// A scratch directory with an image of the upstream fixture, the owner's system-UUID file
/// and a stranger's, removed on deinit.
final class Scratch {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("FamfsKitTests/Fixtures")
    static let ownerUUID = "c0ffee00-1234-4abc-8def-0123456789ab"

    let directory: URL
    let image: String
    let ownerUUIDFile: String
    let strangerUUIDFile: String

    /// `fixture`'s metadata extended to a sparse image; `deviceSize` rewrites dd_size (which
    /// the superblock CRC does not cover) for file systems larger than the fixture's 8 GiB.
    init(fixture: String = "empty-8g", deviceSize: UInt64 = 8 << 30) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        image = directory.appendingPathComponent("fs.img").path
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gunzip.arguments = ["-c", "gunzip -c \"$0\" > \"$1\"", Self.fixtures.appendingPathComponent("\(fixture).img.gz").path, image]
        try gunzip.run()
        gunzip.waitUntilExit()
        try #require(gunzip.terminationStatus == 0)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: image))
        var size = deviceSize.littleEndian
        try handle.seek(toOffset: 112)
        try handle.write(contentsOf: Data(bytes: &size, count: 8))
        try handle.truncate(atOffset: deviceSize)
        try handle.close()
        ownerUUIDFile = directory.appendingPathComponent("owner_uuid").path
        strangerUUIDFile = directory.appendingPathComponent("stranger_uuid").path
        try Data((Self.ownerUUID + "\n").utf8).write(to: URL(fileURLWithPath: ownerUUIDFile))
        try Data("11111111-2222-4333-8444-555555555555\n".utf8).write(to: URL(fileURLWithPath: strangerUUIDFile))
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// `famctl famfs <command> --system-uuid-file <owner> <arguments…>`.
    func famfs(_ command: String, _ arguments: [String], uuidFile: String? = nil, environment: [String: String] = [:]) throws
        -> FamctlBinary.Result
    {
        try FamctlBinary.run(["famfs", command, "--system-uuid-file", uuidFile ?? ownerUUIDFile] + arguments, environment: environment)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Bytes [offset, offset + count) of the image.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: image))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        return Array(try handle.read(upToCount: count) ?? Data())
    }
}

import FamfsKit

/// What fsck verifies after a writer is done (or killed): valid superblock and header,
/// counters equal, no bad entry, no allocation collision.
struct CheckedLog {
    var header: LogHeader
    var entries: [LogEntry]
    var files: [FileEntry]

    init(image: String) throws {
        let log = try OpenedLog(path: image, access: .read)
        let scan = log.scan()
        #expect(scan.badEntries.isEmpty, "bad entries: \(scan.badEntries)")
        #expect(log.header.nextSeqnum == log.header.nextIndex)
        let bitmap = AllocationBitmap(superblock: log.superblock, scan: scan)
        #expect(bitmap.collisions == 0)
        header = log.header
        entries = scan.entries
        files = scan.entries.compactMap { if case .file(let file) = $0.body { file } else { nil } }
    }
}
