// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
import FamctlCommands

/// The committed man pages against the CLI that is built now: every command has its page,
/// every argument of a command is in its page's OPTIONS with its accepted values and default,
/// the hand-written sections are there, and the pages are lint-clean.
@Suite struct DocsManPageTests {
    /// The parts of `--experimental-dump-help` that the checks read.
    struct Command: Decodable {
        var commandName: String
        var subcommands: [Command]?
        var arguments: [Argument]?
    }

    struct Argument: Decodable {
        var kind: String
        var shouldDisplay: Bool
        /// `{"kind": "short" | "long" | "longWithSingleDash", "name": ...}` each.
        var names: [[String: String]]?
        var valueName, defaultValue: String?
        var allValues: [String]?
    }

    static let manDirectory = SourceTree.root.appending(path: "man")

    static func commandTree() throws -> Command {
        let output = try ChildProcess.run(FamctlBinary.url, ["--experimental-dump-help"])
        try #require(output.status == 0, "famctl --experimental-dump-help failed: \(output.stderr)")
        struct Dump: Decodable { var command: Command }
        return try JSONDecoder().decode(Dump.self, from: Data(output.stdout.utf8)).command
    }

    /// (page name, command) for every command and the page that documents it: its own, or
    /// for a group without an action (`famctl famfs`) the page of its parent.
    static func documented(_ command: Command, path: [String] = [], page: String? = nil) -> [(String, Command)] {
        let path = path + [command.commandName]
        let children = (command.subcommands ?? []).filter { $0.commandName != "help" }
        let isGroup = !children.isEmpty && path.count > 1
        let own = isGroup ? (page ?? "famctl") : path.joined(separator: "-")
        return [(own, command)] + children.flatMap { documented($0, path: path, page: own) }
    }

    static func page(_ name: String) throws -> String {
        try String(contentsOf: manDirectory.appending(path: "\(name).8"), encoding: .utf8)
    }

    /// The lines of one `.Sh` section of an mdoc page.
    static func section(_ title: String, of page: String) -> [String] {
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heads = [".Sh \(title)", ".Sh \"\(title)\""]
        guard let start = lines.firstIndex(where: heads.contains) else { return [] }
        let rest = lines[(start + 1)...]
        return Array(rest.prefix { !$0.hasPrefix(".Sh ") })
    }

    /// What of `command`'s arguments the OPTIONS section of `page` does not show: a name,
    /// a positional's value name, an accepted value or a default.
    static func missing(from page: String, _ command: Command) -> [String] {
        let options = section("OPTIONS", of: page)
        let items = options.filter { $0.hasPrefix(".It ") }.map { $0 + " " }
        let body = options.joined(separator: "\n")
        var missing: [String] = []
        for argument in command.arguments ?? [] where argument.shouldDisplay {
            if argument.kind == "positional" {
                let value = argument.valueName ?? ""
                if !items.contains(where: { $0.hasPrefix(".It Ar \(value) ") }) { missing.append("<\(value)>") }
            }
            for name in argument.names ?? [] {
                let (kind, word) = (name["kind"] ?? "", name["name"] ?? "")
                let written = kind == "long" ? "--\(word)" : "-\(word)"
                let macro = kind == "long" ? "Fl -\(word) " : "Fl \(word) "
                if !items.contains(where: { $0.contains(macro) }) { missing.append(written) }
            }
            for value in argument.allValues ?? [] where !body.contains(".Cm \"\(value)\"") {
                missing.append("value \(value)")
            }
            if let value = argument.defaultValue, !value.isEmpty, !body.contains(".Ql \"\(value)\"") {
                missing.append("default \(value)")
            }
        }
        return missing
    }

    @Test func everyArgumentOfEveryCommandIsInItsPage() throws {
        let pairs = Self.documented(try Self.commandTree())
        #expect(pairs.count >= 15)
        for (name, command) in pairs {
            let text = try Self.page(name)
            #expect(Self.missing(from: text, command) == [], "man/\(name).8 lacks options of \(command.commandName); run scripts/gen-docs.sh")
        }
    }

    @Test func theCheckNoticesAnOptionThatThePageLacks() throws {
        let command = try JSONDecoder().decode(Command.self, from: Data("""
            {"commandName": "demo", "arguments": [
              {"kind": "option", "shouldDisplay": true, "valueName": "mode", "defaultValue": "devdax",
               "allValues": ["devdax", "famfs"],
               "names": [{"kind": "short", "name": "m"}, {"kind": "long", "name": "mode"}]},
              {"kind": "positional", "shouldDisplay": true, "valueName": "device"}]}
            """.utf8))
        let complete = """
            .Sh OPTIONS
            .Bl -tag -width Ds
            .It Ar device
            .It Fl m Ar mode , Fl -mode Ar mode
            .Cm "devdax" ,
            .Cm "famfs" .
            .Ql "devdax" .
            .El
            .Sh EXIT STATUS
            """
        #expect(Self.missing(from: complete, command) == [])
        let partial = complete.replacingOccurrences(of: ", Fl -mode Ar mode", with: "")
            .replacingOccurrences(of: ".Cm \"famfs\" .", with: "")
            .replacingOccurrences(of: ".It Ar device", with: "")
        #expect(Self.missing(from: partial, command) == ["--mode", "value famfs", "<device>"])
    }

    @Test func everyPageMatchesACommandAndHasTheRequiredSections() throws {
        let names = Set(Self.documented(try Self.commandTree()).map(\.0))
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.manDirectory.path)
            .filter { $0.hasSuffix(".8") }
        #expect(Set(files.map { String($0.dropLast(2)) }) == names)
        for name in names {
            let text = try Self.page(name)
            for title in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
                #expect(!Self.section(title, of: text).isEmpty, "man/\(name).8 has no \(title) section")
            }
            #expect(text.contains(".Dt \(name.uppercased()) 8"))
            let seeAlso = Self.section("SEE ALSO", of: text)
            #expect(seeAlso.contains { $0.hasPrefix(".Xr daxctl 1") }, "man/\(name).8 does not refer to daxctl(1)")
            #expect(seeAlso.contains { $0.hasPrefix(".Xr ndctl 1") }, "man/\(name).8 does not refer to ndctl(1)")
            let examples = Self.section("EXAMPLES", of: text)
            #expect(examples.contains(".Bd -literal -offset indent"), "man/\(name).8 has no example output")
        }
    }

    @Test func theRootPageListsEveryExitCodeAndTheFilesTouched() throws {
        let text = try Self.page("famctl")
        let exitStatus = Self.section("EXIT STATUS", of: text)
        let source = try String(
            contentsOf: SourceTree.root.appending(path: "Sources/FamctlCommands/ExitCodes.swift"),
            encoding: .utf8)
        // Named constants, and the daxctl-style codes computed from errno, which ExitCodes
        // lists as "240 EBUSY" in its documentation.
        let constants = try Regex(#"static let \w+: Int32 = (\d+)"#)
        let errnoCodes = try Regex(#"\b(\d{2,3}) E[A-Z]{3,}\b"#)
        let declared = Set(
            (source.matches(of: constants) + source.matches(of: errnoCodes))
                .compactMap { $0.output[1].substring.map(String.init) })
        #expect(declared.isSuperset(of: ["0", "64"]))
        for code in declared {
            #expect(exitStatus.contains(".It Sy \(code)"), "famctl(8) EXIT STATUS lacks exit code \(code)")
        }
        let files = Self.section("FILES", of: text).joined(separator: "\n")
        #expect(files.contains("/sys/bus/dax/devices/daxX.Y"))
        #expect(files.contains("/opt/famfs/system_uuid"))
    }

    @Test func mandocAndGroffReportNoWarnings() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.manDirectory.path)
            .filter { $0.hasSuffix(".8") }.sorted().map { "man/\($0)" }
        try #require(pages.count >= 14)
        let mandoc = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/mandoc"), ["-T", "lint", "-W", "warning"] + pages,
            in: SourceTree.root)
        #expect(mandoc.status == 0, "mandoc -T lint: \(mandoc.stdout)\(mandoc.stderr)")
        #expect(mandoc.stdout.isEmpty, "mandoc -T lint: \(mandoc.stdout)")
        let groff = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/groff"), ["-ww", "-z", "-mandoc"] + pages,
            in: SourceTree.root)
        #expect(groff.status == 0)
        #expect(groff.stderr.isEmpty, "groff -ww: \(groff.stderr)")
    }

    /// man-db renders with groff's mdoc, whose default header names BSD.
    @Test func theRenderedHeaderNamesNoOperatingSystem() throws {
        let rendered = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/groff"), ["-mandoc", "-T", "utf8", "-P", "-c", "man/famctl-list.8"],
            in: SourceTree.root)
        let header = rendered.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("System Manager's Manual"), "\(header)")
        #expect(!header.contains("BSD"), "\(header)")
        #expect(rendered.stdout.contains("famctl \(FamctlCommands.Famctl.version)"))
    }
}
