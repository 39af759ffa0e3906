// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import FamfsKit
import Foundation
import Testing

/// The byte rule for famfs paths and the namespace check, end to end: writers refuse, fsck
/// reports, logplay skips.
@Suite struct FamfsPathRuleTests {
    @Test(arguments: ["mkdir", "creat"], [("a\nb", "a\\x0ab: control byte 0x0a at byte 1"), ("d/\u{7f}", "d/\\x7f: control byte 0x7f at byte 2")])
    func writersRefuseControlBytes(command: String, bad: (path: String, message: String)) throws {
        let scratch = try FamfsImage()
        let result = try scratch.famfs(command, (command == "creat" ? ["-s", "1m"] : []) + [scratch.image, bad.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("\(bad.message); \(FamfsPath.byteRule)"))
        #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [0])
    }

    /// argv bytes that are not UTF-8 reach famctl as U+FFFD; they are refused by their real bytes.
    @Test(arguments: ["mkdir", "creat"])
    func writersRefuseBytesThatAreNotUTF8(command: String) throws {
        let scratch = try FamfsImage()
        let arguments = ["famfs", command, "--system-uuid-file", scratch.ownerUUIDFile]
            + (command == "creat" ? ["-s", "1m"] : []) + [scratch.image]
        let result = try FamctlBinary.run(arguments, prefix: ["/bin/sh", "-c", #"exec "$0" "$@" "$(printf 'dir\377x')""#])
        #expect(result.status == 64)
        #expect(result.stderr.contains("dir\\xffx: invalid UTF-8 at byte 3; \(FamfsPath.byteRule)"))
        #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [0])
    }

    /// A log only a foreign or damaged writer makes: every entry logplay refuses is one line
    /// of fsck's problems, and fsck exits 2.
    @Test func fsckReportsWhatLogplayRefuses() throws {
        let scratch = try FamfsImage()
        func dir(_ path: String) -> LogEntry.Body { .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array(path.utf8))) }
        let file = LogEntry.Body.file(FileEntry(size: 1, uid: 0, gid: 0, mode: 0o644, path: Array("dir1/f".utf8),
                                                extents: .simple([SimpleExtent(offset: 0xa0_0000, length: 0x20_0000)])))
        try OpenedLog(path: scratch.image, access: .append).append([
            dir("dir1"), dir(".."), dir("dir1/.."), dir("../x"), dir("nodir/sub"), file, dir("dir1/f/sub"), dir("dir1/f"),
            dir("dir1/x\n  mode: 04777"),
        ])
        let result = try scratch.famfs("fsck", [scratch.image])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("log entry") }
        #expect(lines.count == 7)
        #expect(lines.first?.hasSuffix("log entry 1, path ..: path is not relative or escapes the root") == true)
        #expect(lines.contains { $0.hasSuffix("log entry 4, path nodir/sub: parent directory nodir does not exist") })
        #expect(lines.contains { $0.hasSuffix("log entry 6, path dir1/f/sub: parent dir1/f is a file, not a directory") })
        #expect(lines.contains { $0.hasSuffix("log entry 7, path dir1/f: exists as a file") })
        #expect(lines.last?.contains("log entry 8, path dir1/x\\x0a  mode: 04777: path holds control byte 0x0a") == true)
        let logplay = try scratch.famfs("logplay", ["-n", scratch.image])
        #expect(logplay.status == 7)
    }
}
