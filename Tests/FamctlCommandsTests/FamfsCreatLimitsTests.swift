// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
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

    /// Runs `script` with bash, `$FAMCTL` the binary and `input` on its standard input.
    static func shell(_ script: String, input: String = "") throws -> ProcessResult {
        try ChildProcess.bash(script, environment: ["FAMCTL": FamctlBinary.path], input: Data(input.utf8))
    }

    /// A manifest from process substitution, a FIFO, /dev/stdin or `-` is read like a file.
    @Test func aManifestFromAPipeOrStandardInputIsRead() throws {
        let scratch = try FamfsImage()
        let fifo = scratch.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let creat = "\"$FAMCTL\" famfs creat --system-uuid-file \(scratch.ownerUUIDFile)"
        for (script, input) in [
            ("\(creat) --manifest <(printf 'a 1m\\n') \(scratch.image)", ""),
            ("printf 'b 1m\\n' > \(fifo) & \(creat) --manifest \(fifo) \(scratch.image); wait", ""),
            ("\(creat) --manifest /dev/stdin \(scratch.image)", "c 1m\n"),
            ("\(creat) --manifest - \(scratch.image)", "d 1m 0600 7 8\n# comment\n\ne 2m\n"),
        ] {
            let result = try Self.shell(script, input: input)
            #expect(result.status == 0, "\(script): \(result.stderr)")
        }
        let files = try CheckedLog(image: scratch.image).files
        #expect(files.map { String(decoding: $0.path, as: UTF8.self) } == ["a", "b", "c", "d", "e"])
        #expect(files[3].mode == 0o600 && files[3].uid == 7 && files[3].gid == 8)
    }

    /// Errors in a manifest read from standard input say so.
    @Test func standardInputIsNamedInManifestErrors() throws {
        let scratch = try FamfsImage()
        let result = try Self.shell(
            "\"$FAMCTL\" famfs creat --system-uuid-file \(scratch.ownerUUIDFile) --manifest - \(scratch.image)", input: "ok 1m\nbad 2x\n")
        #expect(result.status == 1)
        #expect(result.stderr.contains("standard input:2: invalid size 2x"), "\(result.stderr)")
        #expect(try CheckedLog(image: scratch.image).header.nextIndex == 0)
        let directory = try Self.shell(
            "\"$FAMCTL\" famfs creat --system-uuid-file \(scratch.ownerUUIDFile) --manifest \(scratch.scratch.path) \(scratch.image)")
        #expect(directory.status == 3)
        #expect(directory.stderr.contains("\(scratch.scratch.path): cannot read the manifest: Is a directory"), "\(directory.stderr)")
    }
}
