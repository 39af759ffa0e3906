// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// `mkfs.famfs` (a link to famctl) must behave as `famctl famfs mkfs`, both when run by that
/// name and when util-linux `mkfs -t famfs` finds it on the PATH.
@Suite struct InstallDispatchTests {
    /// A link named `name` to the built famctl, in a fresh directory (the caller removes it).
    static func link(named name: String) throws -> (directory: URL, link: URL) {
        let directory = try DocsHarness.temporaryDirectory()
        let link = directory.appending(path: name)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: FamctlBinary.url)
        return (directory, link)
    }

    @Test func linkNamedMkfsFamfsRunsFamfsMkfs() throws {
        let (directory, link) = try Self.link(named: "mkfs.famfs")
        defer { try? FileManager.default.removeItem(at: directory) }

        let viaLink = try ChildProcess.run(link, ["--help"])
        let direct = try ChildProcess.run(FamctlBinary.url, ["famfs", "mkfs", "--help"])
        #expect(viaLink.status == 0)
        #expect(viaLink.stdout == direct.stdout)
        #expect(viaLink.stdout.contains("famctl famfs mkfs"))

        // mkfs keeps its own options (--help is mkfs's), so compare a real run on a path in a
        // directory that does not exist (neither run can create it): whatever famctl says
        // about it, both routes must say the same.
        let missing = directory.appending(path: "no-such-directory/famfs.img").path
        let viaMkfs = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/sbin/mkfs"), ["-t", "famfs", missing],
            environment: ["PATH": "\(directory.path):/usr/sbin:/usr/bin:/sbin:/bin"])
        let directRun = try ChildProcess.run(FamctlBinary.url, ["famfs", "mkfs", missing])
        #expect(viaMkfs.status == directRun.status)
        #expect(viaMkfs.stdout == directRun.stdout)
        #expect(viaMkfs.stderr == directRun.stderr)
        #expect(!viaMkfs.stderr.contains("mkfs.famfs: not found"))
    }

    @Test func otherProgramNamesParseTheirArgumentsUnchanged() throws {
        let (directory, link) = try Self.link(named: "mkfs.famfs.old")
        defer { try? FileManager.default.removeItem(at: directory) }

        let renamed = try ChildProcess.run(link, ["--help"])
        let direct = try ChildProcess.run(FamctlBinary.url, ["--help"])
        #expect(renamed.status == 0)
        #expect(renamed.stdout == direct.stdout)
    }
}
