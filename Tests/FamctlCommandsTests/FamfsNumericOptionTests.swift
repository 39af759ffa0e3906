// SPDX-License-Identifier: Apache-2.0
import FamfsKit
import Foundation
import Testing

/// Numbers on creat's and mkdir's command lines mean what upstream reads (C's base 0), modes
/// are what the page says, and interleave options missing a partner say so.
@Suite struct FamfsNumericOptionTests {
    @Test func idsAndSizesAreReadAsUpstreamReadsThem() throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("mkdir", ["-u", "010", "-g", "0x10", scratch.image, "d"]).status == 0)
        #expect(try scratch.famfs("creat", ["-u", "010", "-g", "010", "-s", "010", scratch.image, "d/eight"]).status == 0)
        #expect(try scratch.famfs("creat", ["-u", "10", "-g", "0X1f", "-s", "010k", scratch.image, "d/ten"]).status == 0)
        let log = try CheckedLog(image: scratch.image)
        guard case .directory(let directory) = log.entries.first?.body else { Issue.record("no MKDIR"); return }
        #expect((directory.uid, directory.gid) == (8, 16))
        #expect(log.files.map(\.uid) == [8, 10])
        #expect(log.files.map(\.gid) == [8, 31])
        #expect(log.files.map(\.size) == [8, 8 << 10])
    }

    /// What upstream would read as another number (08 is 0 there, 10x is 10) is refused.
    @Test(arguments: [["-u", "08"], ["-g", "-1"], ["-u", "4294967296"], ["-s", "10x"], ["-s", "08"], ["-N", "2", "-B", "0x"]])
    func numbersUpstreamWouldReadDifferentlyAreRefused(options: [String]) throws {
        let scratch = try FamfsImage()
        let result = try scratch.famfs("creat", (options.contains("-s") ? [] : ["-s", "64m"]) + options + [scratch.image, "f"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [0])
    }

    @Test(arguments: ["creat", "mkdir"])
    func modesTakeSpecialBitsAndNothingPast07777(command: String) throws {
        let scratch = try FamfsImage()
        let size = command == "creat" ? ["-s", "1m", "--no-umask"] : []
        #expect(try scratch.famfs(command, size + ["-m", "4755", scratch.image, "a"]).status == 0)
        #expect(try scratch.famfs(command, size + ["-m", "07777", scratch.image, "b"]).status == 0)
        #expect(try scratch.famfs(command, size + ["-m", "0", scratch.image, "c"]).status == 0)
        let modes = try CheckedLog(image: scratch.image).entries.map { entry -> UInt32 in
            switch entry.body {
            case .file(let file): return file.mode
            case .directory(let directory): return directory.mode
            default: return .max
            }
        }
        #expect(modes == [0o4755, 0o7777, 0])
        for bad in ["010000", "8", "0x1ff", "+644", "rwx"] {
            let result = try scratch.famfs(command, size + ["-m", bad, scratch.image, "x"])
            #expect(result.status == 64, "\(bad)")
        }
    }

    @Test(arguments: [
        (["-B", "65"], "-B 65 given without -N nstrips (1-16): interleaving needs both -N and -B"),
        (["-N", "16"], "-N 16 given without -B nbuckets (1-64): interleaving needs both -N and -B"),
        (["-C", "4m"], "-C 4m given without -N nstrips (1-16) and -B nbuckets (1-64)"),
    ])
    func interleaveOptionsWithoutTheirPartnerSaySo(options: [String], message: String) throws {
        let scratch = try FamfsImage()
        let result = try scratch.famfs("creat", ["-s", "64m"] + options + [scratch.image, "s"])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("at least 1") && !result.stderr.contains("exceeds nbuckets 0"))
    }
}
