// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

@Suite struct LogplayTests {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    final class Workspace {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-logplay-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: root) }
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
    }

    /// The scan of a fixture, or of empty-8g after appending `bodies` as they are (writers'
    /// checks bypassed, as a foreign or damaged writer might have).
    static func scan(_ fixture: String, appending bodies: [LogEntry.Body] = [], in workspace: Workspace) throws -> LogScan {
        let image = workspace.path("fs.img")
        try Data(try Fixture.imageBytes(fixture)).write(to: URL(fileURLWithPath: image))
        if !bodies.isEmpty { try OpenedLog(path: image, access: .append).append(bodies) }
        return try OpenedLog(path: image, access: .read).scan()
    }

    static func replay(_ scan: LogScan, _ options: Logplay.Options) throws -> (Logplay.Report, [Logplay.Line]) {
        var lines: [Logplay.Line] = []
        var logplay = try Logplay(options: options) { lines.append($0) }
        return (logplay.run(scan), lines)
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func intoCreatesTheTreeOnceAndThenOnlyCountsIt() throws {
        let workspace = try Workspace()
        let scan = try Self.scan("ref-8g", in: workspace)
        let tree = workspace.path("tree")
        let (first, _) = try Self.replay(scan, .init(destination: .into(tree)))
        #expect(first.created == Logplay.Counts(files: 5, directories: 4))
        #expect(first.errorCount == 0)
        #expect(try Self.mode(tree + "/dir2/sub/deeper") == 0o700)
        #expect(try Self.mode(tree + "/dir1/file1") == 0o600)
        #expect(try Self.mode(tree + "/file0") == 0o644)
        #expect(try FileManager.default.attributesOfItem(atPath: tree + "/dir1/striped0")[.size] as? Int == 0)
        if geteuid() == 0 {
            #expect(try FileManager.default.attributesOfItem(atPath: tree + "/dir1/file1")[.ownerAccountID] as? Int == 1000)
        }
        let (second, lines) = try Self.replay(scan, .init(destination: .into(tree), verbosity: 1))
        #expect(second.created == Logplay.Counts())
        #expect(second.existed == Logplay.Counts(files: 5, directories: 4))
        // Everything already present: the -v output upstream printed for ref-8g.
        let capture = try Fixture.text("ref-8g.logplay.txt")
        let upstream = capture.components(separatedBy: "$ famfs logplay -v /mnt/famfs\n")[1].components(separatedBy: "exit=")[0]
        #expect(lines.map { if case .info(let text) = $0 { text + "\n" } else { "" } }.joined() == upstream)
    }

    @Test func clientsGetFilesWithoutWriteBits() throws {
        let workspace = try Workspace()
        let tree = workspace.path("tree")
        _ = try Self.replay(try Self.scan("ref-8g", in: workspace), .init(destination: .into(tree), client: true))
        #expect(try Self.mode(tree + "/dir1/file1") == 0o400)
        #expect(try Self.mode(tree + "/file0") == 0o444)
        #expect(try Self.mode(tree + "/dir1") == 0o755)
    }

    @Test func shadowFilesMatchUpstreamAndSurviveTheShadowTest() throws {
        let workspace = try Workspace()
        let scan = try Self.scan("ref-8g", in: workspace)
        let shadow = workspace.path("shadow")
        try FileManager.default.createDirectory(atPath: shadow, withIntermediateDirectories: false)
        let (report, lines) = try Self.replay(scan, .init(destination: .shadow(shadow), shadowTest: true))
        #expect(report.created == Logplay.Counts(files: 5, directories: 4))
        #expect(report.yamlChecked == 5)
        #expect(report.yamlErrors == 0)
        #expect(lines.contains(.info("dir1/striped0: shadow yaml good!")))
        for (path, document) in try YamlTests.upstreamDocuments() {
            #expect(try String(contentsOfFile: shadow + "/root/" + path, encoding: .utf8) == document, "\(path)")
        }
        // A tampered shadow file is found by the next test run; the log is not rewritten over it.
        try Data("---\nfile:\n  path: file0\n".utf8).write(to: URL(fileURLWithPath: shadow + "/root/file0"))
        let (again, errors) = try Self.replay(scan, .init(destination: .shadow(shadow), shadowTest: true))
        #expect(again.existed.files == 5)
        #expect(again.yamlErrors == 1)
        #expect(again.errorCount == 1)
        #expect(errors.contains(.error("file0: shadow yaml line 4: unexpected end of document")))
        #expect(again.summary(verbosity: 0, shadowTest: true) == [
            "famfs_logplay(shadow): 9 log entries; 0 new files; 0 new directories",
            "\tshadow yaml checked for 5 files", "\tthere were 1 yaml errors detected",
        ])
    }

    @Test func aShadowDirectoryMustExist() throws {
        let workspace = try Workspace()
        #expect(throws: ReplayTreeError.cannotOpen(workspace.path("missing/root"), ENOENT)) {
            try Logplay(options: .init(destination: .shadow(workspace.path("missing")))) { _ in }
        }
    }

    @Test func badEntriesAreReportedAndSkipped() throws {
        let workspace = try Workspace()
        let scan = try Self.scan("var-bad-entry4-crc", in: workspace)
        let tree = workspace.path("tree")
        let (report, lines) = try Self.replay(scan, .init(destination: .into(tree)))
        #expect(report.badEntries.map(\.index) == [4])
        #expect(report.created == Logplay.Counts(files: 4, directories: 4))
        #expect(report.errorCount == 1)
        #expect(lines.contains(.error(
            "invalid log entry at index 4 of 9 (File0): bad crc (stored 0x64c183c2, computed 0x38c06486); skipped")))
        #expect(!FileManager.default.fileExists(atPath: tree + "/file0"))
        #expect(FileManager.default.fileExists(atPath: tree + "/dir2/m1"))
    }

    @Test func pathsThatEscapeTheRootOrLackAParentCreateNothing() throws {
        let workspace = try Workspace()
        func file(_ path: String) -> LogEntry.Body {
            .file(FileEntry(size: 1, uid: 0, gid: 0, mode: 0o644, path: Array(path.utf8),
                            extents: .simple([SimpleExtent(offset: 0xa0_0000, length: 0x20_0000)])))
        }
        let scan = try Self.scan("empty-8g", appending: [
            .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array("../outside".utf8))),
            file("a/../../escaped"), file("nodir/f"), file("x/../ok"),
        ], in: workspace)
        let tree = workspace.path("tree")
        let (report, lines) = try Self.replay(scan, .init(destination: .into(tree)))
        #expect(report.directoryErrors == 1)
        #expect(report.fileErrors == 2)
        #expect(report.created.files == 1)
        #expect(lines.contains(.error("nodir/f: parent directory nodir does not exist")))
        #expect(FileManager.default.fileExists(atPath: tree + "/ok"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("outside")))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("escaped")))
        #expect(report.summary(verbosity: 0, shadowTest: false)[1] == "\t2 file errors and 1 dir errors")
    }

    @Test func symlinksInTheTreeAreNeverFollowed() throws {
        let workspace = try Workspace()
        let scan = try Self.scan("ref-8g", in: workspace)
        let tree = workspace.path("tree")
        let outside = workspace.path("outside")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: tree + "/dir1", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: tree + "/file0", withDestinationPath: outside + "/victim")
        let (report, lines) = try Self.replay(scan, .init(destination: .into(tree)))
        #expect(report.directoryErrors == 1)
        #expect(report.fileErrors == 3)
        #expect(lines.contains(.error("dir1/file1: dir1 is not a directory (symlinks are not followed)")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(report.created == Logplay.Counts(files: 2, directories: 3))
    }

    @Test func aDryRunCountsWhatWouldBeCreated() throws {
        let workspace = try Workspace()
        let (report, lines) = try Self.replay(try Self.scan("ref-8g", in: workspace), .init(destination: .none, verbosity: 1))
        #expect(report.wouldCreate == Logplay.Counts(files: 5, directories: 4))
        #expect(report.created == Logplay.Counts())
        #expect(lines.first == .info("Logplay: dry_run selected"))
        #expect(lines.contains(.info("__famfs_logplay: would create file dir2/m1")))
        #expect(report.summary(verbosity: 0, shadowTest: false) == [
            "famfs_logplay(v1): 9 log entries; 0 new files; 0 new directories", "\tWould create: 5 files, 4 directories",
        ])
    }

    @Test func aSymlinkPlantedAtShadowRootIsNotFollowed() throws {
        let workspace = try Workspace()
        let shadow = workspace.path("shadow")
        let outside = workspace.path("outside")
        try FileManager.default.createDirectory(atPath: shadow, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: shadow + "/root", withDestinationPath: "../outside")
        #expect(throws: ReplayTreeError.notADirectory(shadow + "/root")) {
            try Logplay(options: .init(destination: .shadow(shadow))) { _ in }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    /// An attacker who can write the target swaps each directory logplay has just made for a
    /// symlink to a file outside; the modes logplay applies must never reach that file.
    /// A tree made in part already: what is there is counted, what is in the way reported, and
    /// a path logged twice (or under another spelling) is created once, in a directory this
    /// replay made as in one it found. Shadow files are made from a queue, where a path
    /// logged twice is queued twice: the second finds the first at the flush.
    @Test(arguments: [false, true]) func aReplayOverATreeMadeInPartCreatesOnlyWhatIsMissing(shadow: Bool) throws {
        let workspace = try Workspace()
        func dir(_ path: String) -> LogEntry.Body { .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array(path.utf8))) }
        var unit: UInt64 = 4
        func file(_ path: String) -> LogEntry.Body {
            unit += 1
            return .file(FileEntry(size: 1, uid: 0, gid: 0, mode: 0o644, path: Array(path.utf8),
                                   extents: .simple([SimpleExtent(offset: unit << 21, length: 0x20_0000)])))
        }
        let scan = try Self.scan("empty-8g", appending: [
            dir("found"), file("found/old"), file("found/new"), file("found/new"), file("found/x"), dir("made"), file("made/f"),
            file("made/f"), file("made/../found/n2"), file("found/./n2"), file("made/./f"),
        ], in: workspace)
        let target = workspace.path("tree")
        let tree = shadow ? target + "/root" : target
        try FileManager.default.createDirectory(atPath: tree + "/found/x", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: tree + "/found/old", contents: Data("kept".utf8)))
        let (report, lines) = try Self.replay(scan, .init(destination: shadow ? .shadow(target) : .into(target)))
        #expect(report.created == Logplay.Counts(files: 3, directories: 1))
        #expect(report.existed == Logplay.Counts(files: 5, directories: 1))
        #expect(lines.contains(.error("found/x: exists and is not a regular file")))
        #expect(report.errorCount == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree + "/found").sorted() == ["n2", "new", "old", "x"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree + "/made") == ["f"])
        #expect(try String(contentsOfFile: tree + "/found/old", encoding: .utf8) == "kept")
    }

    /// Directories whose descriptors the cache let go are opened again from their parents,
    /// never through a link put in their place meanwhile.
    @Test func directoriesDroppedFromTheDescriptorCacheAreReopenedWithoutFollowingLinks() throws {
        let workspace = try Workspace()
        let root = workspace.path("tree")
        let tree = try ReplayTree(directory: root, kind: .placeholders, cachedDirectories: 2)
        var namespace = Namespace()
        func make(_ path: String, directory: Bool) -> ReplayTree.Outcome {
            let bytes = Array(path.utf8)
            let (outcome, place) = bytes.withUnsafeBytes { namespace.place(path: Namespace.LoggedPath($0), file: directory ? nil : 1) }
            guard let place else { return .failed(outcome.problem ?? "") }
            return bytes.withUnsafeBytes { bytes in
                if directory { return tree.makeDirectory(bytes, at: place, new: outcome == .created, mode: 0o755, uid: 0, gid: 0) }
                return tree.makeFile(bytes, at: place, new: outcome == .created, mode: 0o644, uid: 0, gid: 0) { _ in 0 }
            }
        }
        for path in ["a", "a/b", "c", "d", "e"] { #expect(make(path, directory: true) == .created) }
        let outside = workspace.path("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        #expect(rename(root + "/c", root + "/moved") == 0 && symlink(outside, root + "/c") == 0)
        #expect(rmdir(root + "/d") == 0)
        #expect(make("a/b/f", directory: false) == .created)
        #expect(make("c/f", directory: false) == .failed("c is not a directory (symlinks are not followed)"))
        #expect(make("d/f", directory: false) == .failed("parent directory d does not exist"))
        #expect(make("e/f", directory: false) == .created)
        #expect(FileManager.default.fileExists(atPath: root + "/a/b/f") && FileManager.default.fileExists(atPath: root + "/e/f"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    /// Shadow files are queued and made a batch at a time, in log order: when the queue is
    /// full, before a directory is made or opened (the descriptor cache may close a queued
    /// file's parent) and at the end, each with its whole document, none left open after its
    /// flush. A file made behind the tree's back between its queueing and its flush is found
    /// as existing.
    @Test func shadowFilesAreMadeInBatchesInLogOrder() throws {
        let workspace = try Workspace()
        let root = workspace.path("tree")
        let tree = try ReplayTree(directory: root, kind: .shadow, cachedDirectories: 3)
        var namespace = Namespace()
        var queued: [Int: String] = [:]
        var outcomes: [(path: String, outcome: ReplayTree.Outcome)] = []
        func take() {
            tree.takeOutcomes { ticket, outcome in outcomes.append((queued[ticket] ?? "?", outcome)) }
        }
        func make(_ path: String, directory: Bool) {
            let bytes = Array(path.utf8)
            let (outcome, place) = bytes.withUnsafeBytes { namespace.place(path: Namespace.LoggedPath($0), file: directory ? nil : 1) }
            guard let place else {
                Issue.record("\(path): \(outcome.problem ?? "")")
                return
            }
            let made = bytes.withUnsafeBytes { bytes in
                if directory { return tree.makeDirectory(bytes, at: place, new: outcome == .created, mode: 0o755, uid: 0, gid: 0) }
                return tree.makeFile(bytes, at: place, new: outcome == .created, mode: 0o644, uid: 0, gid: 0) { out in
                    out.copyBytes(from: Array("document of \(path)\n".utf8))
                    return "document of \(path)\n".utf8.count
                }
            }
            if directory { #expect(made == .created) }
            if case .queued(let ticket) = made {
                queued[ticket] = path
            } else if !directory {
                Issue.record("\(path) was not queued: \(made)")
            }
            take()
            #expect(openFiles() == 0)
        }
        /// Descriptors of this process open on regular files inside the tree.
        func openFiles() -> Int {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return fds.filter { fd in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd),
                      target.hasPrefix(root + "/") else { return false }
                var info = stat()
                return stat(target, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
            }.count
        }
        var paths: [String] = []
        for d in 0..<8 {
            make("d\(d)", directory: true)
            for f in 0..<(d == 5 ? 150 : d * 11 % 40 + 1) {
                paths.append("d\(d)/f\(f)")
                make(paths.last!, directory: false)
                #expect(paths.count - outcomes.count <= ReplayTree.batch)
            }
        }
        // Back into directories the cache let go of, between files; one file made meanwhile.
        for d in 0..<8 {
            paths.append("d\(d)/late")
            make(paths.last!, directory: false)
        }
        #expect(FileManager.default.createFile(atPath: root + "/d7/late", contents: Data("theirs".utf8)))
        #expect(tree.finish().isEmpty)
        take()
        #expect(openFiles() == 0)
        #expect(outcomes.map(\.path) == paths)
        #expect(outcomes.filter { $0.outcome != .created }.map(\.path) == ["d7/late"])
        #expect(outcomes.last?.outcome == .existed)
        for path in paths.dropLast() {
            #expect(try String(contentsOfFile: root + "/" + path, encoding: .utf8) == "document of \(path)\n")
        }
        #expect(try String(contentsOfFile: root + "/d7/late", encoding: .utf8) == "theirs")
    }

    @Test func directoriesSwappedForSymlinksDuringAReplayChangeNothingOutside() throws {
        let workspace = try Workspace()
        let count = 300
        let names = (0..<count).map { "d\($0)" }
        let scan = try Self.scan("empty-8g", appending: names.map {
            .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o6777, path: Array($0.utf8)))
        }, in: workspace)
        let outside = workspace.path("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        let victim = outside + "/victim"
        #expect(FileManager.default.createFile(atPath: victim, contents: Data("secret".utf8), attributes: [.posixPermissions: 0o600]))
        let tree = workspace.path("tree")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
        let replayDone = Flag()
        let attacker = Thread {
            for (i, name) in names.enumerated() {
                let path = tree + "/" + name
                // Swap the directory for a link as soon as it appears.
                while rename(path, tree + "/moved\(i)") != 0 {
                    if replayDone.isSet { return }
                }
                _ = symlink(victim, path)
            }
        }
        let previousMask = umask(0o022)
        defer { umask(previousMask) }
        attacker.start()
        let (report, _) = try Self.replay(scan, .init(destination: .into(tree)))
        replayDone.set()
        while !attacker.isFinished { usleep(1000) }
        #expect(try Self.mode(victim) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["victim"])
        #expect(report.created.directories + report.directoryErrors == count)
    }
}

/// fsck and logplay judge a log's namespace with the same check: what logplay skips, fsck
/// reports, one problem per entry.
@Suite struct LogNamespaceAgreementTests {
    static func hostileLog(in workspace: LogplayTests.Workspace) throws -> (image: String, scan: LogScan) {
        func dir(_ path: String) -> LogEntry.Body { .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array(path.utf8))) }
        func file(_ path: String, at unit: UInt64) -> LogEntry.Body {
            .file(FileEntry(size: 1, uid: 0, gid: 0, mode: 0o644, path: Array(path.utf8),
                            extents: .simple([SimpleExtent(offset: unit << 21, length: 0x20_0000)])))
        }
        let scan = try LogplayTests.scan("empty-8g", appending: [
            dir("dir1"), dir(".."), dir("dir1/.."), dir("../x"), dir("nodir/sub"), file("dir1/f", at: 5), dir("dir1/f/sub"),
            dir("dir1/f"), file("dir1", at: 6), file("dir1/a\n  size: 1\n  mode: 04777", at: 7), dir("dir1/ok"),
        ], in: workspace)
        return (workspace.path("fs.img"), scan)
    }

    static let expected: [(index: UInt64, what: String)] = [
        (1, "path is not relative or escapes the root"), (2, "path is not relative or escapes the root"),
        (3, "path is not relative or escapes the root"), (4, "parent directory nodir does not exist"),
        (6, "parent dir1/f is a file, not a directory"), (7, "exists as a file"), (8, "exists as a directory"),
        (9, "path holds control byte 0x0a at byte 6; \(FamfsPath.byteRule)"),
    ]

    @Test func fsckReportsEveryEntryLogplayRefuses() throws {
        let workspace = try LogplayTests.Workspace()
        let (image, _) = try Self.hostileLog(in: workspace)
        let report = try FsckChecker.check(VolumeOpener(mountTablePath: "/nonexistent").open(image), systemUUID: nil)
        #expect(!report.isClean)
        #expect(report.problems.map(\.index) == Self.expected.map(\.index))
        #expect(report.problems.map(\.what) == Self.expected.map(\.what))
        #expect(report.problems[7].description.hasPrefix("log entry 9, path dir1/a\\x0a  size: 1\\x0a  mode: 04777: "))
        #expect(report.directories == 8 && report.files == 3)
    }

    @Test(arguments: [Logplay.Destination.none, .into("tree"), .shadow("shadow")])
    func logplaySkipsTheSameEntriesWithTheSameReasons(destination: Logplay.Destination) throws {
        let workspace = try LogplayTests.Workspace()
        let (_, scan) = try Self.hostileLog(in: workspace)
        let placed: Logplay.Destination
        switch destination {
        case .none: placed = .none
        case .into(let name): placed = .into(workspace.path(name))
        case .shadow(let name):
            try FileManager.default.createDirectory(atPath: workspace.path(name), withIntermediateDirectories: false)
            placed = .shadow(workspace.path(name))
        }
        let (report, lines) = try LogplayTests.replay(scan, .init(destination: placed, shadowTest: true))
        let errors = lines.compactMap { if case .error(let text) = $0 { text } else { nil } }
        #expect(errors.count == Self.expected.count)
        for ((_, what), line) in zip(Self.expected, errors) { #expect(line.hasSuffix(": " + what)) }
        #expect(report.errorCount == Self.expected.count)
        #expect(report.yamlErrors == 0)
        if case .shadow = destination {
            let yaml = try String(contentsOfFile: workspace.path("shadow/root/dir1/f"), encoding: .utf8)
            #expect(yaml.components(separatedBy: "\n  size: ").count == 2)
            #expect(!FileManager.default.fileExists(atPath: workspace.path("shadow/root/dir1/a\n  size: 1\n  mode: 04777")))
        }
    }
}
