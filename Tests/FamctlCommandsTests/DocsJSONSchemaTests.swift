// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import FamctlTestSupport
import Foundation
import Testing
@testable import FamctlCommands

/// The JSON OUTPUT section of each page that prints JSON is a schema scripts rely on: every
/// key famctl prints, in every shape (clean, broken, dry run, refusal, -R -D -M -u, ...), is
/// listed there in the order famctl prints it, and every key listed is one famctl prints. A
/// new key without documentation fails here.
@Suite struct DocsJSONSchemaTests {
    /// A JSON text's objects with their keys in printed order (JSONSerialization forgets it).
    indirect enum Keys {
        case object([(String, Keys)])
        case array([Keys])
        case scalar
    }

    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "not JSON at byte \(offset)" }
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        static func parse(_ text: String) throws -> Keys {
            var parser = Parser(bytes: Array(text.utf8))
            let value = try parser.value()
            parser.skipBlanks()
            guard parser.index == parser.bytes.count else { throw ParseError(offset: parser.index) }
            return value
        }

        mutating func skipBlanks() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func take(_ byte: Character) -> Bool {
            skipBlanks()
            guard index < bytes.count, bytes[index] == byte.asciiValue else { return false }
            index += 1
            return true
        }

        mutating func expect(_ byte: Character) throws {
            guard take(byte) else { throw ParseError(offset: index) }
        }

        mutating func string() throws -> String {
            try expect("\"")
            var out: [UInt8] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                guard index < bytes.count else { break }
                out.append(bytes[index])
                index += 1
            }
            try expect("\"")
            return String(decoding: out, as: UTF8.self)
        }

        mutating func value() throws -> Keys {
            skipBlanks()
            guard index < bytes.count else { throw ParseError(offset: index) }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(String, Keys)] = []
                if take("}") { return .object([]) }
                repeat {
                    skipBlanks()
                    let key = try string()
                    try expect(":")
                    members.append((key, try value()))
                } while take(",")
                try expect("}")
                return .object(members)
            case UInt8(ascii: "["):
                index += 1
                var elements: [Keys] = []
                if take("]") { return .array([]) }
                repeat { elements.append(try value()) } while take(",")
                try expect("]")
                return .array(elements)
            case UInt8(ascii: "\""):
                _ = try string()
                return .scalar
            default:
                let start = index
                while index < bytes.count, !Array(",]} \n\t\r".utf8).contains(bytes[index]) { index += 1 }
                guard index > start else { throw ParseError(offset: index) }
                return .scalar
            }
        }
    }

    /// The words a page's JSON OUTPUT section sets as `.Cm` (in `.It Cm` items and in the
    /// text), in order: the keys it documents.
    static func documented(_ page: String, itemsOnly: Bool = false) throws -> [String] {
        let text = try DocsManPageTests.page(page)
        let section = DocsManPageTests.section("JSON OUTPUT", of: text)
        let key = try Regex(#"^[a-z][a-z0-9_]*$"#)
        return section.flatMap { line -> [String] in
            let prefixes = itemsOnly ? [".It Cm "] : [".It Cm ", ".Cm "]
            guard let prefix = prefixes.first(where: line.hasPrefix) else { return [] }
            let words = line.dropFirst(prefix.count).components(separatedBy: " Pq ")[0]
            return words.split(separator: " ").map(String.init).filter { $0.wholeMatch(of: key) != nil }
        }
    }

    /// What of `keys` the documentation does not show: a key missing from `documented`, or
    /// one that comes before a key printed ahead of it. `nested` names keys whose value
    /// another page documents (mkfs's `fsck`).
    static func undocumented(
        _ keys: Keys, _ documented: [String], nested: [String: [String]] = [:], at path: String = ""
    ) -> [String] {
        switch keys {
        case .scalar: return []
        case .array(let elements):
            return elements.flatMap { undocumented($0, documented, nested: nested, at: path + "[]") }
        case .object(let members):
            var problems: [String] = []
            var position = documented.startIndex
            for (key, value) in members {
                let name = path.isEmpty ? key : "\(path).\(key)"
                if let next = documented[position...].firstIndex(of: key) {
                    position = documented.index(after: next)
                } else {
                    problems.append(documented.contains(key) ? "\(name) (out of order)" : name)
                }
                problems += undocumented(value, nested[key] ?? documented, nested: nested, at: name)
            }
            return problems
        }
    }

    static func keys(_ keys: Keys) -> Set<String> {
        switch keys {
        case .scalar: return []
        case .array(let elements): return elements.reduce(into: Set()) { $0.formUnion(Self.keys($1)) }
        case .object(let members):
            return members.reduce(into: Set()) { $0.insert($1.0); $0.formUnion(Self.keys($1.1)) }
        }
    }

    /// Checks the outputs against `page`: each is documented, and (`complete`) together they
    /// print every key the page's items name, so the page lists no key famctl never prints.
    static func check(
        _ page: String, _ outputs: [String], nested: [String: String] = [:], complete: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let documented = try Self.documented(page)
        try #require(!documented.isEmpty, "man/\(page).8 has no JSON OUTPUT section", sourceLocation: sourceLocation)
        let nestedKeys = try nested.mapValues { try Self.documented($0) }
        var printed: Set<String> = []
        for output in outputs {
            let keys = try Parser.parse(output)
            printed.formUnion(Self.keys(keys))
            #expect(undocumented(keys, documented, nested: nestedKeys) == [],
                    "man/\(page).8 JSON OUTPUT lacks keys famctl prints:\n\(output)", sourceLocation: sourceLocation)
        }
        if complete {
            let items = Set(try Self.documented(page, itemsOnly: true))
            #expect(items.subtracting(printed).sorted() == [], "man/\(page).8 lists keys no output printed",
                    sourceLocation: sourceLocation)
        }
    }

    /// `famctl ARGUMENTS` in `scratch`; its stdout, after checking the exit status.
    static func famctl(
        _ arguments: [String], in scratch: Scratch, status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let result = try FamctlBinary.run(["famfs"] + arguments.prefix(1) + ["--system-uuid-file", scratch.systemUUIDFile] + arguments.dropFirst())
        #expect(result.status == status, "famctl famfs \(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    static func fixture(_ name: String, as file: String, in scratch: Scratch) throws -> String {
        try scratch.file(file, try Fixture.image(name), size: 8 << 30)
    }

    @Test func fsck() throws {
        let scratch = try Scratch()
        let clean = try Self.fixture("ref-8g", as: "ref.img", in: scratch)
        let bad = try Self.fixture("var-bad-entry4-crc", as: "bad.img", in: scratch)
        let zero = try scratch.file("zero.img", size: 8 << 30)
        try Self.check("famctl-famfs-fsck", [
            try Self.famctl(["fsck", "--json", "-B", "3", clean], in: scratch),
            try Self.famctl(["fsck", "--json", bad], in: scratch, status: 2),
            try Self.famctl(["fsck", "--json", zero], in: scratch, status: 1),
            try Self.famctl(["fsck", "--json", "\(scratch.path)/missing.img"], in: scratch, status: 3),
        ])
    }

    @Test func mkfs() throws {
        let scratch = try Scratch()
        let existing = try Self.fixture("ref-8g", as: "ref.img", in: scratch)
        let ext4 = try ForeignImage.ext4.make(in: scratch)
        try Self.check("famctl-famfs-mkfs", [
            try Self.famctl(["mkfs", "--json", "--size", "8g", "\(scratch.path)/new.img"], in: scratch),
            try Self.famctl(["mkfs", "--json", "--dry-run", "--force", existing], in: scratch),
            try Self.famctl(["mkfs", "--json", "--force", "--kill", existing], in: scratch),
            try Self.famctl(["mkfs", "--json", "--force", ext4], in: scratch),
            try Self.famctl(["mkfs", "--json", "\(scratch.path)/new.img"], in: scratch, status: 1),
        ], nested: ["fsck": "famctl-famfs-fsck"])
    }

    @Test func logplay() throws {
        let scratch = try Scratch()
        let clean = try Self.fixture("ref-8g", as: "ref.img", in: scratch)
        let bad = try Self.fixture("var-bad-entry4-crc", as: "bad.img", in: scratch)
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/shadow", withIntermediateDirectories: false)
        try Self.check("famctl-famfs-logplay", [
            try Self.famctl(["logplay", "--json", "-n", clean], in: scratch),
            try Self.famctl(["logplay", "--json", "--into", "\(scratch.path)/tree", clean], in: scratch),
            try Self.famctl(["logplay", "--json", "--shadow", "\(scratch.path)/shadow", "--shadowtest", clean], in: scratch),
            try Self.famctl(["logplay", "--json", "--into", "\(scratch.path)/tree2", bad], in: scratch, status: 1),
        ])
    }

    /// Devices in every state: memory online (movable) and partly online, famfs, disabled,
    /// bound to a driver famctl does not know; regions with and without available space.
    @Test func list() throws {
        let kernel = try SimulatedKernel.cxlInEveryState()
        let tree = try CapturedTree(kernel)
        defer { tree.remove() }
        let other = SimulatedKernel()
        other.addRegion(id: 0, path: "devices/platform/hmem.0", size: 2 << 30, base: 0x1_0000_0000, dynamic: true)
        other.drivers.insert("vfio_dax")
        _ = other.addDevice(region: 0, instance: 0, size: 1 << 30, driver: "vfio_dax")
        let otherTree = try CapturedTree(other)
        defer { otherTree.remove() }
        var outputs: [String] = []
        for arguments in [[], ["-M"], ["-u", "-M"], ["-R"], ["-R", "-D", "-M", "-u"], ["-d", "dax0.0", "-u"]] {
            for tree in [tree, otherTree] {
                let result = try FamctlBinary.run(["list", "--sysfs-root", tree.root.path] + arguments)
                #expect(result.status == 0, "list \(arguments): \(result.stderr)")
                if !result.stdout.isEmpty { outputs.append(result.stdout) }
            }
        }
        try Self.check("famctl-list", outputs)
    }

    /// reconfigure-device prints the devices after a switch; create-device the new device,
    /// through the same `DaxJSON.device`.
    @Test func reconfigureAndCreateDevice() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        var outputs: [String] = []
        for arguments in [["-m", "system-ram", "dax0.0"], ["-m", "system-ram", "-u", "dax0.0"], ["-f", "-m", "famfs", "all"]] {
            let run = try CommandRun(ReconfigureDevice.self, arguments, on: kernel)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            outputs += run.stdout
        }
        #expect(outputs.count == 3)
        try Self.check("famctl-reconfigure-device", outputs, complete: false)

        let dynamic = SimulatedKernel.hmem()
        try dynamic.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
        try dynamic.write("devices/platform/hmem.0/dax0.0/size", "0")
        let controller = DaxController(sysfs: dynamic, procfs: dynamic)
        let region = try #require(controller.discovery.regions().first)
        let created = try controller.createDevice(in: region, size: 1 << 30, align: 2 << 20, mappings: [])
        let documents = [false, true].compactMap { DaxJSON.document([DaxJSON.device(created.device, DaxJSON.Format(human: $0))], human: $0) }
        try Self.check("famctl-create-device", documents, complete: false)
    }

    /// The device commands whose pages say they print no JSON print nothing on standard output.
    @Test func theOtherDeviceCommandsPrintNoJSON() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        func run<Command: DaxDeviceCommand>(_ type: Command.Type, _ arguments: [String], page: String?) throws {
            let run = try CommandRun(type, arguments, on: kernel)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            guard let page else { return }
            #expect(run.stdout.isEmpty, "\(page): \(run.stdout)")
            let section = DocsManPageTests.section("JSON OUTPUT", of: try DocsManPageTests.page(page)).joined(separator: " ")
            #expect(section.contains("this command prints no JSON"), "man/\(page).8")
        }
        try run(DisableDevice.self, ["dax0.0"], page: "famctl-disable-device")
        try run(EnableDevice.self, ["dax0.0"], page: "famctl-enable-device")
        try run(ReconfigureDevice.self, ["-N", "-m", "system-ram", "dax0.0"], page: nil)
        try run(OnlineMemory.self, ["dax0.0"], page: "famctl-online-memory")
        try run(OfflineMemory.self, ["dax0.0"], page: "famctl-offline-memory")
        try run(ReconfigureDevice.self, ["-m", "devdax", "dax0.0"], page: nil)
        try run(DestroyDevice.self, ["-f", "dax0.0"], page: "famctl-destroy-device")
    }

    @Test func theCheckNoticesAnUndocumentedOrMisplacedKey() throws {
        let keys = try Parser.parse(#"{"a": 1, "b": {"c": [{"d": true}]}, "e": "x"}"#)
        #expect(Self.undocumented(keys, ["a", "b", "c", "d", "e"]) == [])
        #expect(Self.undocumented(keys, ["a", "b", "c", "e"]) == ["b.c[].d"])
        #expect(Self.undocumented(keys, ["b", "a", "c", "d", "e"]) == ["b (out of order)"])
        #expect(throws: ParseError.self) { try Parser.parse(#"{"a": 1"#) }
    }
}
