// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// mkfs probes with libblkid, as mkfs.ext4 and mkfs.xfs do: another file system, partition
/// table or RAID member is refused without --force, named, and left unchanged; a dry run
/// says the real run would refuse; --force formats and says what it replaced.
@Suite struct FamfsMkfsSignatureTests {
    let mkfs = FamfsMkfsCommandTests()

    /// Refused unchanged, with `found` named; exit status 1, as for an existing famfs.
    func expectRefused(_ scratch: Scratch, _ arguments: [String], _ image: String, _ found: String, dryRun: Bool = false,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try ForeignImage.digest(image)
        let result = try mkfs.mkfs(scratch, arguments + [image])
        #expect(result.status == 1, sourceLocation: sourceLocation)
        let verdict = dryRun ? "dry run, nothing written: \(image) holds \(found); mkfs would refuse"
            : "\(image) holds \(found); refusing"
        #expect(result.stderr.hasPrefix("famctl: mkfs: \(verdict) to overwrite "), "stderr: \(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(try ForeignImage.digest(image) == before, "target changed", sourceLocation: sourceLocation)
    }

    @Test(arguments: ForeignImage.all)
    func refusedUnchangedReportedByADryRunAndFormattedWithForce(foreign: ForeignImage) throws {
        let scratch = try Scratch()
        let image = try foreign.make(in: scratch)
        try expectRefused(scratch, [], image, foreign.found)
        let refusal = try mkfs.mkfs(scratch, [image])
        #expect(refusal.stderr == "famctl: mkfs: \(image) holds \(foreign.found); refusing to overwrite it (use --force)\n")
        try expectRefused(scratch, ["--dry-run"], image, foreign.found, dryRun: true)

        let before = try ForeignImage.digest(image)
        let dryForce = try mkfs.mkfs(scratch, ["--dry-run", "--force", image])
        #expect(dryForce.status == 0, "stderr: \(dryForce.stderr)")
        #expect(dryForce.stdout.contains("  replaced:    \(foreign.found)\n"), "stdout: \(dryForce.stdout)")
        #expect(try ForeignImage.digest(image) == before, "a dry run changed the target")

        let forced = try mkfs.mkfs(scratch, ["--force", image])
        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        #expect(forced.stdout.hasPrefix("Formatted \(image) as famfs\n  replaced:    \(foreign.found)\n"), "stdout: \(forced.stdout)")
        #expect(try FamctlBinary.run(["famfs", "fsck", "--system-uuid-file", scratch.systemUUIDFile, image]).status == 0)
        // Now it is famfs: famctl's own check names it, as before.
        let again = try mkfs.mkfs(scratch, [image])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already has a famfs superblock"), "stderr: \(again.stderr)")
    }

    /// md 0.90 keeps its superblock only at the end of the device.
    @Test func refusesARaidMemberWhoseSuperblockIsAtTheEnd() throws {
        let scratch = try Scratch()
        let image = try ForeignImage.md090(in: scratch)
        try expectRefused(scratch, [], image, ForeignImage.md090Found)
        #expect(try mkfs.mkfs(scratch, ["--force", image]).status == 0)
    }

    @Test func namesEverySignatureFound() throws {
        let scratch = try Scratch()
        let image = try scratch.file("swap.img", size: 8 << 30)
        let made = try ChildProcess.run(try ForeignImage.tool("mkswap"), ["-L", "old", "-U", ForeignImage.uuid, image])
        try #require(made.status == 0, "mkswap: \(made.stderr)")
        let table = try ChildProcess.bash("printf 'label: dos\\nlabel-id: 0x1234abcd\\n,,L\\n' | \(try ForeignImage.tool("sfdisk").path) -q \(image)")
        try #require(table.status == 0, "sfdisk: \(table.stderr)")
        let found = "a swap signature (label \"old\", UUID \(ForeignImage.uuid)) and a dos partition table (UUID 1234abcd)"
        try expectRefused(scratch, [], image, found)
        #expect(try mkfs.mkfs(scratch, [image]).stderr.hasSuffix("; refusing to overwrite them (use --force)\n"))
    }

    @Test func jsonListsWhatForceReplaced() throws {
        let scratch = try Scratch()
        let image = try ForeignImage.ext4.make(in: scratch)
        let refused = try mkfs.mkfs(scratch, ["--json", image])
        #expect(refused.status == 1)
        let error = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
        #expect(error["error"] as? String == "\(image) holds \(ForeignImage.ext4.found); refusing to overwrite it (use --force)")

        let forced = try mkfs.mkfs(scratch, ["--force", "--json", image])
        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [String: Any])
        let replaced = try #require(object["replaced_signatures"] as? [[String: Any]])
        #expect(replaced.count == 1)
        #expect(replaced.first?["type"] as? String == "ext4")
        #expect(replaced.first?["usage"] as? String == "filesystem")
        #expect(replaced.first?["label"] as? String == "data")
        #expect(replaced.first?["uuid"] as? String == ForeignImage.uuid)
    }

    /// A label is read from the target: printed escaped, never as terminal control bytes.
    @Test func aHostileLabelIsPrintedEscaped() throws {
        let scratch = try Scratch()
        var foreign = ForeignImage.ext4
        foreign.command = ["mkfs.ext4", "-q", "-F", "-L", "a\"\u{1b}[2J", "-U", ForeignImage.uuid]
        let image = try foreign.make(in: scratch)
        try expectRefused(scratch, [], image, "an ext4 file system (label \"a\\\"\\u001b[2J\", UUID \(ForeignImage.uuid))")
    }
}
