// SPDX-License-Identifier: Apache-2.0
import CZlib
import Foundation

/// The upstream famfs fixtures (Tests/FamfsKitTests/Fixtures, copied from shared/fixtures):
/// gzipped metadata-only images of an 8 GiB device and the outputs upstream printed for them.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The system UUID of the host that wrote the fixtures.
    static let systemUUID = "c0ffee00-1234-4abc-8def-0123456789ab"

    /// The decompressed bytes of `<name>.img.gz` (10 MiB: superblock region and 8 MiB log).
    static func imageBytes(_ name: String) throws -> [UInt8] {
        let path = directory.appendingPathComponent("\(name).img.gz").path
        guard let file = gzopen(path, "rb") else { throw FixtureError.cannotOpen(path) }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            guard count >= 0 else { throw FixtureError.cannotOpen(path) }
            if count == 0 { break }
            bytes += chunk[0..<Int(count)]
        }
        return bytes
    }

    /// Writes the decompressed image to a fresh temporary file and returns its path;
    /// `size` extends it (sparse) to a full device size.
    static func imageFile(_ name: String, size: UInt64? = nil) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-\(name)-\(UUID().uuidString).img").path
        try Data(try imageBytes(name)).write(to: URL(fileURLWithPath: path))
        if let size { try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: size) }
        return path
    }

    /// An upstream output capture.
    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    enum FixtureError: Error { case cannotOpen(String) }
}
