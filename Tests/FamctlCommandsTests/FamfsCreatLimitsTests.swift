import FamfsKit
import Foundation
import Testing

/// creat at the edges: sizes near 2^64, manifests from pipes and standard input, and
/// refusals that name the image.
@Suite struct FamfsCreatLimitsTests {
    /// 2^64 - 1, the largest size within one allocation unit of 2^64, and one just past the
    /// 8 GiB device: each a clean "out of space" naming the image, never a trap.
    static let hugeSizes = ["18446744073709551615", "18446744073707454465", "8589934593", "16777215t"]

    @Test(arguments: hugeSizes)
    func aSizePastTheDeviceIsOutOfSpaceNeverATrap(size: String) throws {
        let scratch = try FamfsImage()
        let before = try Scratch.digest(scratch.image)
        let manifest = try scratch.scratch.file("manifest", Data("big \(size)\n".utf8))
        for arguments in [
            ["-s", size, scratch.image, "big"],
            ["--manifest", manifest, scratch.image],
            ["-N", "2", "-B", "2", "-s", size, scratch.image, "big"],
            ["-N", "1", "-B", "1", "-C", "4m", "-s", size, scratch.image, "big"],
        ] {
            let result = try scratch.famfs("creat", arguments)
            #expect(result.status == 1, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("famctl: \(scratch.image): big: out of space: "), "\(arguments): \(result.stderr)")
        }
        #expect(try Scratch.digest(scratch.image) == before, "nothing appended")
    }

    /// The whole remaining file space still fits: the limit is the device, not an overflow.
    @Test func theLastUnitOfTheDeviceIsStillAllocatable() throws {
        let scratch = try FamfsImage()
        // 8 GiB minus 10 MiB of metadata.
        #expect(try scratch.famfs("creat", ["-s", "\((8 << 30) - (10 << 20))", scratch.image, "all"]).status == 0)
        let more = try scratch.famfs("creat", ["-s", "1", scratch.image, "more"])
        #expect(more.status == 1)
        #expect(more.stderr.contains("\(scratch.image): more: out of space: no contiguous free range for 1 bytes (0 bytes free in total)"))
    }
}
