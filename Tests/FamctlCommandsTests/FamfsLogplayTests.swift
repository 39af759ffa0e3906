// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

@Suite struct FamfsLogplayTests {
    @Test func shadowReplayPrintsUpstreamsLinesAndIsIdempotent() throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let shadow = scratch.path("shadow")
        try FileManager.default.createDirectory(atPath: shadow, withIntermediateDirectories: false)
        let first = try scratch.famfs("logplay", ["--shadow", shadow, scratch.image])
        #expect(first.status == 0)
        #expect(first.stdout == "Logplay: running in shadow test mode\nfamfs_logplay(shadow): 9 log entries; 5 new files; 4 new directories\n")
        let second = try scratch.famfs("logplay", ["--shadow", shadow, "--shadowtest", "-v", scratch.image])
        #expect(second.status == 0)
        // Upstream's capture of the same command, minus its shadow-root debug line.
        let capture = try String(contentsOf: Fixture.directory.appendingPathComponent("ref-8g.logplay-shadow.txt"), encoding: .utf8)
        let upstream = capture.components(separatedBy: "--shadowtest -v /mnt/famfs\n")[1].components(separatedBy: "exit=")[0]
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("exists Yay") }.joined(separator: "\n")
        #expect(second.stdout == upstream)
        let yaml = try String(contentsOf: Fixture.directory.appendingPathComponent("ref-8g.shadow-yaml.txt"), encoding: .utf8)
        let written = try ["dir1/file1", "dir1/striped0", "dir2/m0", "dir2/m1", "file0"].map {
            "== shadow/root/\($0)\n" + (try String(contentsOfFile: "\(shadow)/root/\($0)", encoding: .utf8))
        }.joined()
        #expect(written == yaml)
    }

    @Test func badEntriesSetTheExitStatusAndJSONNamesThem() throws {
        let scratch = try FamfsImage(fixture: "var-bad-entry4-crc")
        let result = try scratch.famfs("logplay", ["--json", "--into", scratch.path("tree"), scratch.image])
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid log entry at index 4 of 9 (File0)"))
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["errors"] as? Int == 1)
        #expect((json?["created"] as? [String: Int]) == ["files": 4, "directories": 4])
        let bad = (json?["bad_entries"] as? [[String: Any]])?.first
        #expect(bad?["index"] as? Int == 4)
        #expect(bad?["path"] as? String == "File0")
        #expect(FileManager.default.fileExists(atPath: scratch.path("tree/dir2/m1")))
    }

    /// One JSON style across famctl: snake_case keys in a fixed order, fsck's layout.
    @Test func jsonKeysAreSnakeCaseInTheDocumentedOrder() throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let result = try scratch.famfs("logplay", ["--json", "-n", scratch.image])
        #expect(result.status == 0)
        let keys = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  \"") }
            .map { $0.dropFirst(3).prefix { $0 != "\"" } }
        #expect(keys == ["entries", "mode", "created", "existed", "would_create", "file_errors", "directory_errors", "bad_entries", "errors"])
        #expect(result.stdout.hasPrefix("{\n  \"entries\": 9,\n  \"mode\": \"dry-run\",\n"))
    }

    @Test func aHostThatDoesNotOwnTheFileSystemReplaysAsAClient() throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let tree = scratch.path("tree")
        #expect(try scratch.famfs("logplay", ["--into", tree, scratch.image], uuidFile: scratch.strangerUUIDFile).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: tree + "/file0")[.posixPermissions] as? Int
        #expect(mode == 0o444)
    }

    @Test func loggedModesSurviveTheCallersUmask() throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let tree = scratch.path("tree")
        let result = try FamctlBinary.run(
            ["famfs", "logplay", "--system-uuid-file", scratch.ownerUUIDFile, "--into", tree, scratch.image],
            prefix: ["/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\""])
        #expect(result.status == 0, "\(result.stderr)")
        func mode(_ path: String) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: tree + "/" + path)[.posixPermissions] as? Int
        }
        #expect(try mode("dir1") == 0o755)
        #expect(try mode("file0") == 0o644)
        #expect(try mode("dir2") == 0o700)
        #expect(try mode("dir1/file1") == 0o600)
    }

    @Test func aShadowRootPlantedAsASymlinkIsRefusedAndNothingIsWrittenThere() throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let shadow = scratch.path("shadow")
        let outside = scratch.path("outside")
        try FileManager.default.createDirectory(atPath: shadow, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: shadow + "/root", withDestinationPath: "../outside")
        let result = try scratch.famfs("logplay", ["--shadow", shadow, scratch.image])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(shadow)/root: not a directory (symlinks are not followed)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    @Test func aDryRunTouchesNothing() throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let result = try scratch.famfs("logplay", ["-n", scratch.image])
        #expect(result.status == 0)
        #expect(result.stdout == """
            Logplay: dry_run selected
            famfs_logplay(v1): 9 log entries; 0 new files; 0 new directories
            \tWould create: 5 files, 4 directories

            """)
    }

    @Test(arguments: [
        (["--shadowtest", "--into", "t"], "--shadowtest needs --shadow"), ([String](), "nothing to replay into"),
        (["--shadow", "s", "--into", "t"], "exclusive"), (["-n", "--into", "t"], "--dry-run creates nothing"),
    ])
    func usageErrors(options: [String], message: String) throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let result = try scratch.famfs("logplay", options + [scratch.image])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message))
    }

    /// famfs users type `logplay IMAGE DIR`.
    @Test func aDirectoryOperandIsAUsageErrorNamingInto() throws {
        let scratch = try FamfsImage(fixture: "ref-8g")
        let result = try scratch.famfs("logplay", [scratch.image, "tree"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("logplay takes one target; to replay into tree, give --into tree"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("tree")))
    }

    @Test func unusableTargetsAreRefused() throws {
        let scratch = try FamfsImage(fixture: "var-bad-sb-crc")
        let invalid = try scratch.famfs("logplay", ["-n", scratch.image])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("crc mismatch in superblock"))
        let missing = try scratch.famfs("logplay", ["-n", scratch.path("nothing.img")])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("nothing.img: no such file or device"))
    }
}

/// A path inside a mounted famfs: commands work on its `.meta/.superblock` and `.meta/.log`.
@Suite struct FamfsMountedTargetTests {
    @Test func mkdirCreatAndLogplayGoThroughTheMetaFiles() throws {
        let scratch = try Scratch()
        let image = try Fixture.image("empty-8g")
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/mnt/.meta", withIntermediateDirectories: true)
        _ = try scratch.file("mnt/.meta/.superblock", image.prefix(2 << 20))
        let log = try scratch.file("mnt/.meta/.log", image.dropFirst(2 << 20))
        let mounts = try scratch.file("mounts", Data("/dev/dax0.0 \(scratch.path)/mnt famfs rw 0 0\n".utf8))
        func famfs(_ arguments: [String]) throws -> ProcessResult {
            try FamctlBinary.run(["famfs"] + arguments.prefix(1) + ["--system-uuid-file", scratch.systemUUIDFile, "--mount-table", mounts]
                + arguments.dropFirst())
        }
        #expect(try famfs(["mkdir", "\(scratch.path)/mnt", "dir1"]).status == 0)
        #expect(try famfs(["creat", "-s", "3m", "\(scratch.path)/mnt/dir1", "dir1/file1"]).status == 0)
        let entries = try #require(try FileHandle(forReadingFrom: URL(fileURLWithPath: log)).readToEnd())
        #expect(entries[40] == 2, "next_index in .meta/.log")
        let replay = try famfs(["logplay", "--into", scratch.path + "/tree", "\(scratch.path)/mnt"])
        #expect(replay.stdout == "famfs_logplay(v1): 2 log entries; 1 new files; 1 new directories\n")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/tree/dir1/file1"))
    }
}

@Suite struct FamfsLogplayUnprivilegedTests {
    /// A caller that is not root still replays into a directory whose logged mode would
    /// lock it out: the directory gets that mode once its entries are in.
    @Test func restrictiveDirectoryModesAreSetAfterTheirEntries() throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("mkdir", ["-m", "0500", scratch.image, "ro"]).status == 0)
        #expect(try scratch.famfs("creat", ["-s", "1m", scratch.image, "ro/file"]).status == 0)
        let parent = scratch.path("out")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: parent)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.scratch.path)
        let result = try FamctlBinary.run(
            ["famfs", "logplay", "--system-uuid-file", scratch.ownerUUIDFile, "--into", parent + "/tree", scratch.image],
            prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: parent + "/tree/ro/file"))
        let mode = try FileManager.default.attributesOfItem(atPath: parent + "/tree/ro")[.posixPermissions] as? Int
        #expect(mode == 0o500)
    }

    /// Another user who can write the target swaps each directory for a symlink to a file the
    /// caller owns outside it: the caller's replay must not change that file's mode.
    @Test func directoriesSwappedForSymlinksDuringAReplayLeaveOutsideFilesAlone() throws {
        let scratch = try FamfsImage()
        let names = (0..<200).map { "d\($0)" }
        #expect(try scratch.famfs("mkdir", ["-m", "0777", scratch.image] + names).status == 0)
        let parent = scratch.path("out")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: parent)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.scratch.path)
        let victim = scratch.path("victim")
        #expect(FileManager.default.createFile(atPath: victim, contents: Data("x".utf8), attributes: [.posixPermissions: 0o600]))
        #expect(chown(victim, 65534, 65534) == 0)
        let tree = parent + "/tree"
        let stop = StopFlag()
        let attacker = Thread {
            for (i, name) in names.enumerated() {
                while rename(tree + "/" + name, parent + "/moved\(i)") != 0 {
                    if stop.isSet { return }
                }
                _ = symlink(victim, tree + "/" + name)
            }
        }
        attacker.start()
        let result = try FamctlBinary.run(
            ["famfs", "logplay", "--system-uuid-file", scratch.ownerUUIDFile, "--into", tree, scratch.image],
            prefix: ["/bin/sh", "-c", "umask 022 && exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \"$0\" \"$@\""])
        stop.set()
        while !attacker.isFinished { usleep(1000) }
        #expect(result.status != 139 && result.status < 128)
        let mode = try FileManager.default.attributesOfItem(atPath: victim)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
