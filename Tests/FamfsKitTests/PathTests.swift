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
        ("a\0b", .containsNUL("a\0b")), (String(repeating: "y", count: 80), .tooLong(String(repeating: "y", count: 80), bytes: 80)),
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
        #expect(namespace.apply(file("a/f/g")) == .missingParent(Array("a/f".utf8)))
        #expect(namespace.apply(file("x/../a/g")) == .created)
        #expect(namespace.apply(file("../g")) == .invalidPath)
        #expect(namespace.node(at: Array("a/g".utf8)) == .file(size: 1))
        #expect(namespace.node(at: []) == .directory)
        #expect(namespace.count == 3)
    }
}
