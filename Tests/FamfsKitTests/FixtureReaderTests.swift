// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// The fixture reader every test target uses: an image is the whole stream or an error.
@Suite struct FixtureReaderTests {
    static let gzip = Fixture.directory.appendingPathComponent("ref-8g.img.gz")

    func damagedCopy(_ damage: (inout Data) -> Void) throws -> String {
        var data = try Data(contentsOf: Self.gzip)
        damage(&data)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-damaged-\(UUID().uuidString).img.gz").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aWholeFixtureIsItsMetadataRegion() throws {
        #expect(try Fixture.gunzip(Self.gzip.path).count == 10 << 20)
    }

    /// Regression: a gzip cut short read as a shorter image (zlib reports the missing end
    /// only through gzerror/gzclose), which a test then took for the whole fixture.
    @Test func aTruncatedGzipIsAnError() throws {
        let path = try damagedCopy { $0 = $0.prefix($0.count / 2) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: Fixture.FixtureError.self) { _ = try Fixture.gunzip(path) }
    }

    /// Regression: a read error ended the loop like the end of the file.
    @Test func aCorruptGzipIsAnError() throws {
        let path = try damagedCopy { data in
            for offset in stride(from: data.count / 3, to: data.count / 3 + 64, by: 1) { data[offset] ^= 0xff }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: Fixture.FixtureError.self) { _ = try Fixture.gunzip(path) }
    }
}
