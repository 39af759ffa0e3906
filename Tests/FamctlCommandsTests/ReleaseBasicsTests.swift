// SPDX-License-Identifier: Apache-2.0
import FamctlCommands
import FamctlTestSupport
import Foundation
import Testing

/// The licence is stated once in LICENSE and on every source file, and the version comes from
/// one place: the changelog's newest release is the one `famctl --version` prints.
@Suite struct ReleaseBasicsTests {
    static let sourceDirectories = ["Sources", "Tests", "Fuzz", "scripts", "tests", ".ci"]
    static let sourceSuffixes = [".swift", ".c", ".h", ".modulemap", ".sh", ".py", "/run", "/Makefile"]

    static func sourceFiles() throws -> [URL] {
        var files: [URL] = [SourceTree.root.appending(path: "Makefile"), SourceTree.root.appending(path: "Package.swift")]
        for directory in sourceDirectories {
            let root = SourceTree.root.appending(path: directory)
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where sourceSuffixes.contains(where: { url.path.hasSuffix($0) }) {
                files.append(url)
            }
        }
        return files
    }

    @Test func everySourceFileCarriesTheSPDXLine() throws {
        let files = try Self.sourceFiles()
        try #require(files.count > 100)
        let missing = try files.filter { url in
            let head = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", maxSplits: 3).prefix(3)
            return !head.contains { $0.hasSuffix("SPDX-License-Identifier: Apache-2.0") }
        }
        #expect(missing.isEmpty, "no SPDX line: \(missing.map(\.lastPathComponent))")
    }

    @Test func theLicenceIsApache2Everywhere() throws {
        let licence = try String(contentsOf: SourceTree.root.appending(path: "LICENSE"), encoding: .utf8)
        #expect(licence.contains("Apache License") && licence.contains("Version 2.0, January 2004"))
        let copyright = try String(contentsOf: SourceTree.root.appending(path: "packaging/debian/copyright"), encoding: .utf8)
        #expect(copyright.contains("License: Apache-2.0"))
    }

    @Test func theChangelogsNewestReleaseIsTheVersion() throws {
        let changelog = try String(contentsOf: SourceTree.root.appending(path: "CHANGELOG.md"), encoding: .utf8)
        let newest = changelog.split(separator: "\n").first { $0.hasPrefix("## ") }
        #expect(newest == "## \(FamctlCommands.Famctl.version)")
    }
}
