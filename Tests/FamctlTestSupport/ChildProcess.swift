// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What a program run by `ChildProcess.run` did.
public struct ProcessResult {
    /// The exit status, or the signal number when `reason` is `.uncaughtSignal`.
    public var status: Int32
    public var reason: Process.TerminationReason
    public var stdout: String
    public var stderr: String

    /// Both streams, for a failure message.
    public var output: String { stdout + stderr }
}

/// Runs programs (the built famctl, system tools, shells) to their end, as a user would.
public enum ChildProcess {
    /// Runs `executable` with `arguments` and returns its status and what it printed.
    /// `environment` is added to the inherited one; `input` is its standard input (empty
    /// without it); `whileRunning` is called once the child has started, for a test that acts
    /// on a running child (releases a lock it waits for, truncates a file it reads). Output
    /// goes to files, not pipes: a child can print any amount, and no thread is needed to
    /// drain it while tests run concurrently.
    @discardableResult
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: Data = Data(),
        in directory: URL? = nil, whileRunning: (Process) throws -> Void = { _ in }
    ) throws -> ProcessResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-run-\(UUID().uuidString)")
        let (stdin, stdout, stderr) = (scratch.appendingPathExtension("in"), scratch.appendingPathExtension("out"), scratch.appendingPathExtension("err"))
        try input.write(to: stdin)
        for file in [stdout, stderr] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        defer { for file in [stdin, stdout, stderr] { try? FileManager.default.removeItem(at: file) } }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = try FileHandle(forReadingFrom: stdin)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        do {
            try whileRunning(process)
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, reason: process.terminationReason,
            stdout: String(decoding: try Data(contentsOf: stdout), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderr), as: UTF8.self))
    }

    /// Runs `executable` with exactly `environment`, stdout and stderr going to one file in
    /// the order a terminal shows them, and returns its status and what it printed.
    public static func runMerged(
        _ executable: URL, _ arguments: [String], environment: [String: String]
    ) throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-run-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let sink = try FileHandle(forWritingTo: output)
        process.standardOutput = sink
        process.standardError = sink
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    /// Runs `script` with bash.
    @discardableResult
    public static func bash(
        _ script: String, environment: [String: String] = [:], input: Data = Data(), in directory: URL? = nil
    ) throws -> ProcessResult {
        try run(URL(fileURLWithPath: "/bin/bash"), ["-c", script], environment: environment, input: input, in: directory)
    }
}

/// The repository the tests were built from.
public enum SourceTree {
    /// Its root: this file lives in `Tests/FamctlTestSupport/`.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// The `famctl` of this build, run as a user would.
public enum FamctlBinary {
    /// The `famctl` next to the test bundle in the build products directory, so the tests
    /// always run the binary of their own build configuration.
    public static let url: URL = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [products, products.deletingLastPathComponent(), SourceTree.root.appendingPathComponent(".build/debug")]
            .map { $0.appendingPathComponent("famctl") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[candidates.count - 1]
    }()

    public static var path: String { url.path }

    /// `famctl <arguments>`; `prefix` runs it through another program (env, setpriv, sh -c).
    public static func run(
        _ arguments: [String], prefix: [String] = [], environment: [String: String] = [:], input: Data = Data(),
        whileRunning: (Process) throws -> Void = { _ in }
    ) throws -> ProcessResult {
        guard let wrapper = prefix.first else {
            return try ChildProcess.run(url, arguments, environment: environment, input: input, whileRunning: whileRunning)
        }
        return try ChildProcess.run(URL(fileURLWithPath: wrapper), prefix.dropFirst() + [path] + arguments,
                                    environment: environment, input: input, whileRunning: whileRunning)
    }
}
