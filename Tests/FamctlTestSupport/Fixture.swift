// SPDX-License-Identifier: Apache-2.0
import CZlib
import Foundation

/// The upstream famfs fixtures (Fixtures/, copied from shared/fixtures; this target's
/// resources): gzipped metadata-only images of an 8 GiB device and the outputs upstream
/// printed for them.
public enum Fixture {
    /// The fixtures as built next to the tests.
    public static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// The system UUID of the host that wrote the fixtures.
    public static let systemUUID = "c0ffee00-1234-4abc-8def-0123456789ab"

    /// The decompressed bytes of `<name>.img.gz` (10 MiB: superblock region and 8 MiB log).
    public static func imageBytes(_ name: String) throws -> [UInt8] {
        try gunzip(directory.appendingPathComponent("\(name).img.gz").path)
    }

    /// `imageBytes` as `Data`.
    public static func image(_ name: String) throws -> Data {
        Data(try imageBytes(name))
    }

    /// Writes the decompressed image to a fresh temporary file and returns its path;
    /// `size` extends it (sparse) to a full device size.
    public static func imageFile(_ name: String, size: UInt64? = nil) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-\(name)-\(UUID().uuidString).img").path
        try image(name).write(to: URL(fileURLWithPath: path))
        if let size { try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: size) }
        return path
    }

    /// An upstream output capture.
    public static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// An upstream fsck capture from `Famfs Superblock:` on, without its `exit=` line: what
    /// famctl prints for the image.
    public static func report(_ name: String) throws -> String {
        let text = try text(name)
        guard let start = text.range(of: "Famfs Superblock:") else { return "" }
        return text[start.lowerBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("exit=") }.joined(separator: "\n")
    }

    /// The whole decompressed content of the gzip file at `path`. A file that ends inside
    /// the stream (zlib reads it as a short end of file) or is corrupt is an error, never a
    /// shorter image.
    public static func gunzip(_ path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else { throw FixtureError.cannotOpen(path) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var failed = false
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count <= 0 {
                failed = count < 0
                break
            }
            bytes += chunk[0..<Int(count)]
        }
        var code: Int32 = Z_OK
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        // gzclose reports Z_BUF_ERROR when the last read ended in the middle of the stream.
        let closed = gzclose(file)
        if failed || code != Z_OK || closed != Z_OK {
            throw FixtureError.corrupt(path, message.isEmpty ? "zlib error \(closed)" : message)
        }
        return bytes
    }

    public enum FixtureError: Error, CustomStringConvertible {
        case cannotOpen(String)
        case corrupt(String, String)

        public var description: String {
            switch self {
            case .cannotOpen(let path): return "cannot open \(path)"
            case .corrupt(let path, let message): return "\(path): not a whole gzip stream (\(message))"
            }
        }
    }
}
