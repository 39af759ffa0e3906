// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import FamfsKit

@Suite struct PathTests {
    @Test(arguments: ["dir1", "dir2/sub/deeper", "a b/ü", String(repeating: "x", count: 79), "..a/b..", ".hidden"])
    func acceptsWhatWritersMayLog(path: String) throws {
        #expect(try FamfsPath.validate(path) == Array(path.utf8))
    }

    @Test(arguments: [
        ("", PathError.empty), ("/a", .absolute("/a")), ("a/", .trailingSlash("a/")), ("a//b", .emptyComponent("a//b")),
        ("./a", .dotComponent("./a")), ("a/..", .dotComponent("a/..")), ("a/./b", .dotComponent("a/./b")),
        ("a\0b", .containsNUL("a\\x00b")), (String(repeating: "y", count: 80), .tooLong(String(repeating: "y", count: 80), bytes: 80)),
    ])
    func refusesWhatUpstreamWouldMangle(path: String, error: PathError) {
        #expect(throws: error) { try FamfsPath.validate(path) }
    }

    @Test func multibyteCharactersCountAsBytes() {
        let path = String(repeating: "é", count: 40)  // 80 bytes
        #expect(throws: PathError.tooLong(path, bytes: 80)) { try FamfsPath.validate(path) }
    }

    @Test func readersNormaliseLoggedPaths() {
        func normalized(_ text: String) -> [String]? {
            FamfsPath.normalize(logged: Array(text.utf8))?.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(normalized("a/../b") == ["b"])
        #expect(normalized("./a//b/.") == ["a", "b"])
        #expect(normalized("a/b/../../c") == ["c"])
        #expect(normalized("..") == nil)
        #expect(normalized("a/../../etc") == nil)
        #expect(normalized("/etc/passwd") == nil)
        #expect(normalized("a/..") == nil)
    }

    @Test func ancestorsAndParent() {
        #expect(FamfsPath.ancestors(of: Array("a/b/c".utf8)) == [Array("a".utf8), Array("a/b".utf8)])
        #expect(FamfsPath.ancestors(of: Array("a".utf8)).isEmpty)
        #expect(FamfsPath.parent(of: Array("a/b/c".utf8)) == Array("a/b".utf8))
        #expect(FamfsPath.parent(of: Array("a".utf8)) == nil)
    }

    @Test func theNamespaceReplaysLikeLogplay() {
        var namespace = Namespace()
        func dir(_ p: String) -> LogEntry.Body { .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array(p.utf8))) }
        func file(_ p: String, _ size: UInt64 = 1) -> LogEntry.Body {
            .file(FileEntry(size: size, uid: 0, gid: 0, mode: 0o644, path: Array(p.utf8), extents: .simple([])))
        }
        #expect(namespace.apply(dir("a")) == .created)
        #expect(namespace.apply(dir("a")) == .existed)
        #expect(namespace.apply(file("a/f", 7)) == .created)
        #expect(namespace.apply(file("a/f", 9)) == .existed)
        #expect(namespace.apply(dir("a/f")) == .conflict(.file(size: 7)))
        #expect(namespace.apply(file("a")) == .conflict(.directory))
        #expect(namespace.apply(file("b/f")) == .missingParent(Array("b".utf8)))
        #expect(namespace.apply(file("a/f/g")) == .parentNotDirectory(Array("a/f".utf8)))
        #expect(namespace.apply(file("x/../a/g")) == .created)
        #expect(namespace.apply(file("../g")) == .invalidPath(.escapesRoot))
        #expect(namespace.node(at: Array("a/g".utf8)) == .file(size: 1))
        #expect(namespace.node(at: []) == .directory)
        #expect(namespace.count == 3)
    }
}

/// The byte rule (control bytes, UTF-8) and the namespace check that fsck and logplay share.
@Suite struct PathByteRuleTests {
    @Test(arguments: [
        ("a\nb", ByteProblem.controlByte(0x0a, offset: 1)), ("x/\u{7f}", .controlByte(0x7f, offset: 2)),
        ("dir\t1/f", .controlByte(0x09, offset: 3)), ("é\u{1b}[31m", .controlByte(0x1b, offset: 2)),
    ])
    func writersRefuseControlBytes(path: String, problem: ByteProblem) {
        #expect(throws: PathError.badByte(FamfsPath.escaped(Array(path.utf8)), problem)) { try FamfsPath.validate(path) }
    }

    @Test func writersRefuseBytesThatAreNotUTF8AndNameThemEscaped() {
        let bytes: [UInt8] = Array("dir/a".utf8) + [0xff, 0xfe] + Array("b".utf8)
        #expect(throws: PathError.badByte("dir/a\\xff\\xfeb", .invalidUTF8(offset: 5))) { try FamfsPath.validate(bytes: bytes) }
        let error = PathError.badByte("a\\x0ab", .controlByte(0x0a, offset: 1))
        #expect(error.description == "a\\x0ab: control byte 0x0a at byte 1; \(FamfsPath.byteRule)")
    }

    @Test func escapingKeepsUTF8AndHidesEverythingElse() {
        #expect(FamfsPath.escaped(Array("a b/ü€".utf8)) == "a b/ü€")
        #expect(FamfsPath.escaped([0x61, 0x0a, 0x7f, 0xc3]) == "a\\x0a\\x7f\\xc3")
        #expect(FamfsPath.byteProblem(Array("a b/ü€".utf8)) == nil)
        #expect(FamfsPath.byteProblem([0xed, 0xa0, 0x80]) == .invalidUTF8(offset: 0))  // a UTF-16 surrogate
    }

    /// Every log logplay refuses (section 12) is refused here, the check fsck runs.
    @Test func theNamespaceRefusesWhatLogplayRefuses() {
        var namespace = Namespace()
        func dir(_ p: [UInt8]) -> LogEntry.Body { .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: p)) }
        func dir(_ p: String) -> LogEntry.Body { dir(Array(p.utf8)) }
        func file(_ p: String) -> LogEntry.Body {
            .file(FileEntry(size: 1, uid: 0, gid: 0, mode: 0o644, path: Array(p.utf8), extents: .simple([])))
        }
        #expect(namespace.apply(dir("dir1")) == .created)
        #expect(namespace.apply(dir("..")) == .invalidPath(.escapesRoot))
        #expect(namespace.apply(dir("dir1/..")) == .invalidPath(.escapesRoot))
        #expect(namespace.apply(dir("../x")) == .invalidPath(.escapesRoot))
        #expect(namespace.apply(dir("nodir/x")) == .missingParent(Array("nodir".utf8)))
        #expect(namespace.apply(file("dir1/f")) == .created)
        #expect(namespace.apply(dir("dir1/f/x")) == .parentNotDirectory(Array("dir1/f".utf8)))
        #expect(namespace.apply(dir("dir1/f")) == .conflict(.file(size: 1)))
        #expect(namespace.apply(dir("dir1/a\nsize: 1")) == .invalidPath(.badByte(.controlByte(0x0a, offset: 6))))
        #expect(namespace.apply(dir([0x62, 0x80])) == .invalidPath(.badByte(.invalidUTF8(offset: 1))))
        #expect(namespace.apply(dir("dir1/./sub")) == .created)
        #expect(namespace.node(at: Array("dir1/sub".utf8)) == .directory)
        #expect(namespace.count == 3)
        #expect(Namespace.Outcome.parentNotDirectory(Array("d\n".utf8)).problem == "parent d\\x0a is a file, not a directory")
    }

    /// Growing the table keeps every path findable.
    @Test func theNamespaceHoldsManyPaths() {
        var namespace = Namespace()
        for d in 0..<300 {
            #expect(namespace.apply(.directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array("d\(d)".utf8)))) == .created)
            for f in 0..<10 {
                let body = LogEntry.Body.file(FileEntry(size: UInt64(f), uid: 0, gid: 0, mode: 0o644,
                                                        path: Array("d\(d)/f\(f)".utf8), extents: .simple([])))
                #expect(namespace.apply(body) == .created)
            }
        }
        #expect(namespace.count == 3300)
        #expect(namespace.node(at: Array("d299/f9".utf8)) == .file(size: 9))
        #expect(namespace.node(at: Array("d0".utf8)) == .directory)
        #expect(namespace.node(at: Array("d300".utf8)) == nil)
    }
}
