// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// `make install` with DESTDIR and PREFIX lays out the binary, the mkfs.famfs link, the man
/// pages and the completions where the system looks for them; `make uninstall` removes them.
@Suite struct InstallLayoutTests {
    static func make(_ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/make"),
            ["-s", "-C", SourceTree.root.path, "FAMCTL=\(FamctlBinary.url.path)"] + arguments)
    }

    static func files(under root: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = root.appending(path: path).path
            let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil
            if isLink || (FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) && !isDirectory.boolValue) {
                found.append(path)
            }
        }
        return found.sorted()
    }

    @Test func installUnderPrefixAndDestdir() throws {
        let destdir = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: destdir) }
        let install = try Self.make(["install", "DESTDIR=\(destdir.path)", "PREFIX=/opt/famctl"])
        #expect(install.status == 0, "make install: \(install.stderr)")

        let prefix = destdir.appending(path: "opt/famctl")
        let pages = try FileManager.default.contentsOfDirectory(
            atPath: SourceTree.root.appending(path: "man").path
        ).filter { $0.hasSuffix(".8") }
        let expected = [
            "bin/famctl", "sbin/mkfs.famfs",
            "share/bash-completion/completions/famctl",
            "share/fish/vendor_completions.d/famctl.fish",
            "share/zsh/site-functions/_famctl",
            "share/man/man8/mkfs.famfs.8",
        ] + pages.map { "share/man/man8/\($0)" }
        #expect(Self.files(under: prefix) == expected.sorted())

        // The link is relative, so the tree works wherever DESTDIR puts it.
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: prefix.appending(path: "sbin/mkfs.famfs").path)
        #expect(link == "../bin/famctl")
        let version = try ChildProcess.run(prefix.appending(path: "sbin/mkfs.famfs"), ["--version"])
        let expectedVersion = try ChildProcess.run(FamctlBinary.url, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == expectedVersion.stdout)

        let bash = try String(contentsOf: prefix.appending(path: "share/bash-completion/completions/famctl"), encoding: .utf8)
        let committed = try String(
            contentsOf: SourceTree.root.appending(path: "completions/famctl.bash"), encoding: .utf8)
        // Installed without the #! line, which a sourced completion file must not have.
        #expect(committed.hasPrefix("#!"))
        #expect(bash == committed.drop { $0 != "\n" }.dropFirst())

        let page = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/man"), ["-l", prefix.appending(path: "share/man/man8/mkfs.famfs.8").path],
            environment: ["MANPAGER": "cat", "MANWIDTH": "80"])
        #expect(page.status == 0)
        #expect(page.stdout.contains("famctl-famfs-mkfs"))

        let uninstall = try Self.make(["uninstall", "DESTDIR=\(destdir.path)", "PREFIX=/opt/famctl"])
        #expect(uninstall.status == 0)
        #expect(Self.files(under: prefix) == [])
    }

    @Test func defaultPrefixIsUsrLocal() throws {
        let destdir = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: destdir) }
        let install = try Self.make(["install", "DESTDIR=\(destdir.path)"])
        #expect(install.status == 0, "make install: \(install.stderr)")
        let installed = Self.files(under: destdir)
        #expect(installed.contains("usr/local/bin/famctl"))
        #expect(installed.contains("usr/local/share/man/man8/famctl-reconfigure-device.8"))
        #expect(installed.allSatisfy { $0.hasPrefix("usr/local/") })
    }
}
