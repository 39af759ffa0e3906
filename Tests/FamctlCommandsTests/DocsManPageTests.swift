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

    /// Every EXAMPLES block is the real, whole output: `gen-docs.sh --check` runs each example
    /// again on the same sysfs tree and images, renders the pages and completion scripts into
    /// a scratch directory and compares them with the committed ones, so an example whose
    /// output changed (or a stale page) fails here.
    @Test func theCommittedPagesAreWhatGenDocsMakesNow() throws {
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/bash"), ["scripts/gen-docs.sh", "--check"],
            environment: ["FAMCTL": FamctlBinary.path, "FAMCTL_DEV": DocsHarness.famctlDev.path], in: SourceTree.root)
        #expect(result.status == 0, "scripts/gen-docs.sh --check:\n\(result.stderr)")
    }

    /// The short options in each dax page's SYNOPSIS come in the order `daxctl COMMAND -h`
    /// (daxctl 78) lists them, so a daxctl user finds them where daxctl has them.
    @Test(arguments: [
        ("famctl-list", ["r", "d", "D", "R", "M", "i", "u"]),
        ("famctl-reconfigure-device", ["r", "u", "v", "s", "a", "m", "N", "f", "C"]),
        ("famctl-create-device", ["r", "u", "v", "s", "a"]),
        ("famctl-online-memory", ["r", "u", "v"]),
        ("famctl-offline-memory", ["r", "u", "v"]),
        ("famctl-enable-device", ["r", "u", "v"]),
        ("famctl-disable-device", ["r", "u", "v"]),
        ("famctl-destroy-device", ["r", "u", "v", "f"]),
    ])
    func synopsisShortOptionsAreInDaxctlsOrder(page: String, daxctl: [String]) throws {
        let synopsis = Self.section("SYNOPSIS", of: try Self.page(page))
        let shorts = synopsis.compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let index = words.firstIndex(of: "Fl"), index + 1 < words.count, words[index + 1].count == 1 else { return nil }
            return String(words[index + 1])
        }
        #expect(shorts == daxctl, "man/\(page).8 SYNOPSIS")
    }

    /// The sentences of a page's prose (example output left out) that it says more than once.
    /// Prose is the text between block macros with inline macro names dropped; a sentence
    /// ends at `.`, `;` or `:` and counts from 6 words.
    static func repeatedSentences(_ page: String) -> [String] {
        var prose: [String] = []
        var current: [String] = []
        var literal = false
        for line in page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix(".Bd") { literal = true }
            if line.hasPrefix(".Ed") { literal = false; continue }
            if literal || line.hasPrefix(".\\\"") { continue }
            let block = [".Pp", ".Sh", ".Ss", ".It", ".Bl", ".El", ".Nm", ".Nd", ".Dd", ".Dt", ".Os"]
            if block.contains(where: line.hasPrefix) {
                prose.append(current.joined(separator: " "))
                current = []
                if line.hasPrefix(".It ") { current.append(String(line.dropFirst(4))) }
                continue
            }
            current.append(line.split(separator: " ").filter { !($0.first == "." || ["Fl", "Ar", "Cm", "Pa", "Ql", "Xr", "Pq", "Dq", "No", "Ns", "Sx", "Li", "Ic", "Sy"].contains($0)) }.joined(separator: " "))
        }
        prose.append(current.joined(separator: " "))
        var seen: Set<String> = []
        var repeated: [String] = []
        for paragraph in prose {
            for sentence in paragraph.split(whereSeparator: { ".;:".contains($0) }) {
                let words = sentence.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                guard words.split(separator: " ").count >= 6 else { continue }
                if !seen.insert(words).inserted { repeated.append(words) }
            }
        }
        return repeated
    }

    @Test func noPageSaysTheSameThingTwice() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.manDirectory.path).filter { $0.hasSuffix(".8") }
        try #require(pages.count >= 14)
        for file in pages {
            let text = try Self.page(String(file.dropLast(2)))
            #expect(Self.repeatedSentences(text) == [], "man/\(file) repeats itself")
        }
    }

    @Test func theRepetitionCheckNoticesARepeatedSentence() {
        let page = """
            .It Fl u Ar uid
            Owner uid; decimal, 0x hex or 0 octal, as upstream reads it.
            .It Fl g Ar gid
            Owner gid; decimal, 0x hex or 0 octal, as upstream reads
            it.
            .Sh EXAMPLES
            .Bd -literal -offset indent
            the same output line printed twice here
            the same output line printed twice here
            .Ed
            """
        #expect(Self.repeatedSentences(page) == ["decimal, 0x hex or 0 octal, as upstream reads it"])
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
