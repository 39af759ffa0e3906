// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// Locations and process helpers shared by the docs, completion and install tests, which
/// all exercise the built `famctl` and the files committed at the repository root.
enum DocsHarness {
    /// The repository root: this file lives in `Tests/FamctlCommandsTests/`.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `famctl` built next to this test bundle (the build products directory), so the
    /// tests always run the binary of the same build configuration.
    static let famctl = built("famctl")

    /// The developer tool (`Sources/famctl-dev`) of the same build.
    static let famctlDev = built("famctl-dev")

    private static func built(_ name: String) -> URL {
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), repository.appending(path: ".build/debug")]
        return candidates.map { $0.appending(path: name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
            ?? repository.appending(path: ".build/debug/\(name)")
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `executable` with `arguments` and returns its exit status and output.
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        in directory: URL? = nil
    ) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain stderr on another thread so a chatty child cannot fill one pipe and block.
        let errData = DataBox()
        let drained = DispatchGroup()
        drained.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            drained.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Runs `executable` with stdout and stderr on one pipe, in the order a terminal shows
    /// them, and returns what it printed.
    static func runMerged(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a shell command line with bash.
    static func bash(
        _ script: String, environment: [String: String] = [:], in directory: URL? = nil
    ) throws -> Output {
        try run(URL(fileURLWithPath: "/bin/bash"), ["-c", script], environment: environment, in: directory)
    }

    /// A fresh empty directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appending(path: "famctl-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Written by one thread before `drained.leave()`, read after `wait()`.
    private final class DataBox: @unchecked Sendable {
        var data = Data()
    }
}
