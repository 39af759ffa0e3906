// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation

/// Scratch space of the docs, completion and install tests, which run the built `famctl`
/// (`FamctlBinary`) on the files committed at the repository root (`SourceTree.root`).
enum DocsHarness {
    /// The developer tool (`Sources/famctl-dev`) of the same build as `FamctlBinary`.
    static let famctlDev = FamctlBinary.url.deletingLastPathComponent().appendingPathComponent("famctl-dev")

    /// A fresh empty directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appending(path: "famctl-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
