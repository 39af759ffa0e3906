import DaxSimulator
import Foundation
import Testing

/// Runs the built `famctl` against captured sysfs trees (a simulated kernel written to a
/// temporary directory: directories, files and relative symlinks as in the real `/sys`).
struct DaxBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `famctl` next to the test bundle (SwiftPM builds it for `swift test`).
    static let executable: URL = {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("famctl"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("famctl"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/famctl"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// Runs `famctl arguments` with `environment` added to the test's own.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A simulated machine written to a temporary directory; deleted by `remove()`.
struct CapturedTree {
    let kernel: SimulatedKernel
    let root: URL

    init(_ kernel: SimulatedKernel) throws {
        self.kernel = kernel
        root = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-sysfs-\(UUID().uuidString)")
        try kernel.materialize(at: root)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// `famctl COMMAND --sysfs-root ROOT ARGUMENTS…`.
    func famctl(_ command: String, _ arguments: String...) throws -> DaxBinary.Result {
        try DaxBinary.run([command, "--sysfs-root", root.path] + arguments)
    }

    /// Every file and link in the tree with its content or target, to prove nothing changed.
    func snapshot() throws -> [String: String] {
        var result: [String: String] = [:]
        let manager = FileManager.default
        let enumerator = try #require(manager.enumerator(atPath: root.path))
        while let path = enumerator.nextObject() as? String {
            let full = root.appendingPathComponent(path).path
            if let target = try? manager.destinationOfSymbolicLink(atPath: full) {
                result[path] = "-> " + target
            } else if let data = manager.contents(atPath: full) {
                result[path] = String(decoding: data, as: UTF8.self)
            }
        }
        return result
    }
}
