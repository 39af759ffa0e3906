// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// The README's transcripts, executed: every ```console block runs with the built `famctl`
/// and `famctl-dev` first on PATH, and each command's output (stdout and stderr, as a
/// terminal shows them) must be the lines the README shows after it, so an example that
/// goes stale fails here. The convention (also in README.md, "Developers"):
///
/// * `$ ` and `# ` start a command (both run as whoever runs the tests), `> ` continues the
///   command above (a here-document's lines); every other line is output of the command
///   above it. No elision: every line printed is shown.
/// * A block runs in a fresh empty directory, umask 022, no FAMCTL_* variables set, unless
///   the line before its fence is `<!-- example: continued -->`: it then runs in the
///   directory and environment the previous block left.
/// * `<!-- example: famctl-dev sysfs-tree M/sys --machine NAME -->` before the fence first
///   runs that command and sets FAMCTL_SYSFS_ROOT to M/sys. The machine directory M stands
///   for `/`: a word `/dev/daxX.Y` in a command means `M/dev/daxX.Y`, and M's path in the
///   output is shown as `/`.
/// * UUIDs are compared up to renaming: in each block, the n-th distinct UUID of the README's
///   output stands for the n-th distinct UUID printed.
/// * A fenced block without a language must hold no prompt line: transcripts are `console`.
@Suite struct DocsReadmeExampleTests {
    struct Command: Sendable {
        /// The README line of the prompt.
        var line: Int
        /// `$` or `#`.
        var prompt: Character
        var text: String
        var expected: [String]
    }

    struct Block: Sendable {
        var line: Int
        var commands: [Command]
        var machine: (tree: String, name: String)?
        var continued: Bool
    }

    /// A run of blocks that share one directory: a block and the `continued` ones after it.
    struct Chain: Sendable, CustomTestStringConvertible {
        var blocks: [Block]
        var testDescription: String { "README.md line \(blocks[0].line)" + (blocks.count > 1 ? " (+\(blocks.count - 1) continued)" : "") }
    }

    static let readme = SourceTree.root.appending(path: "README.md")

    enum ParseError: Error, CustomStringConvertible {
        case malformed(line: Int, String)
        var description: String {
            switch self {
            case .malformed(let line, let reason): "README.md line \(line): \(reason)"
            }
        }
    }

    static let directivePrefix = "<!-- example: "

    static func parse(_ text: String) throws -> [Block] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [Block] = []
        var index = 0
        var previous = ""
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```") else {
                if !trimmed.isEmpty { previous = trimmed }
                index += 1
                continue
            }
            let indent = line.prefix { $0 == " " }.count
            let language = trimmed.dropFirst(3)
            let start = index + 1
            var end = start
            while end < lines.count, lines[end].trimmingCharacters(in: .whitespaces) != "```" { end += 1 }
            guard end < lines.count else { throw ParseError.malformed(line: index + 1, "fence never closed") }
            let body = lines[start..<end].map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
            if language == "console" {
                blocks.append(try block(body, firstLine: start + 1, directive: previous))
            } else if language.isEmpty, let prompt = body.firstIndex(where: { $0.hasPrefix("$ ") || $0.hasPrefix("# ") }) {
                throw ParseError.malformed(line: start + prompt + 1, "a transcript outside a ```console block is never executed; fence it as console")
            } else if previous.hasPrefix(directivePrefix) {
                throw ParseError.malformed(line: index, "an example directive before a block that is not console")
            }
            previous = ""
            index = end + 1
        }
        return blocks
    }

    static func block(_ body: [String], firstLine: Int, directive: String) throws -> Block {
        var result = Block(line: firstLine - 1, commands: [], machine: nil, continued: false)
        if directive.hasPrefix(directivePrefix) {
            guard directive.hasSuffix(" -->") else { throw ParseError.malformed(line: firstLine - 1, "unterminated directive \(directive)") }
            let words = directive.dropFirst(directivePrefix.count).dropLast(4).split(separator: " ").map(String.init)
            if words == ["continued"] {
                result.continued = true
            } else if words.count == 5, words[0] == "famctl-dev", words[1] == "sysfs-tree", words[2].hasSuffix("/sys"), words[3] == "--machine" {
                result.machine = (words[2], words[4])
            } else {
                throw ParseError.malformed(line: firstLine - 1, "unknown directive \(directive) (expected 'continued' or 'famctl-dev sysfs-tree M/sys --machine NAME')")
            }
        }
        for (offset, line) in body.enumerated() {
            if line.hasPrefix("$ ") || line.hasPrefix("# ") {
                result.commands.append(Command(line: firstLine + offset, prompt: line.first!, text: String(line.dropFirst(2)), expected: []))
            } else if result.commands.isEmpty {
                throw ParseError.malformed(line: firstLine + offset, "output before the first command")
            } else if line.hasPrefix("> ") && result.commands[result.commands.count - 1].expected.isEmpty {
                result.commands[result.commands.count - 1].text += "\n" + line.dropFirst(2)
            } else {
                result.commands[result.commands.count - 1].expected.append(line)
            }
        }
        return result
    }

    static func chains() throws -> [Chain] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        var chains: [Chain] = []
        for block in try parse(text) {
            if block.continued, !chains.isEmpty {
                chains[chains.count - 1].blocks.append(block)
            } else if block.continued {
                throw ParseError.malformed(line: block.line, "the first example cannot continue another")
            } else {
                chains.append(Chain(blocks: [block]))
            }
        }
        return chains
    }

    /// Marks the start of command N's output in the block's combined output.
    static let marker = "\u{1}famctl-readme-command "

    /// A bash script for the block: its machine set up, then each command after a marker.
    /// The marker keeps `$?` of the command before it, for `echo $?`.
    static func script(_ block: Block, machineDirectory: inout String?) -> String {
        var script = ""
        if let (tree, name) = block.machine {
            script += "famctl-dev sysfs-tree \(tree) --machine \(name) || exit 99\n"
            script += "export FAMCTL_SYSFS_ROOT=\"$PWD/\(tree)\"\n"
            machineDirectory = (tree as NSString).deletingLastPathComponent
        }
        script += "__readme_status() { return \"$1\"; }\n"
        for (number, command) in block.commands.enumerated() {
            var text = command.text
            if let machine = machineDirectory {
                text = text.replacingOccurrences(of: " /dev/dax", with: " \"$PWD\"/\(machine)/dev/dax")
            }
            script += "__s=$?; printf '\(marker)\(number)\\n'; __readme_status $__s\n\(text)\n"
        }
        return script
    }

    /// UUIDs renamed to `<uuid-N>` in order of first appearance in `lines`.
    static func maskUUIDs(_ lines: [String]) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        var names: [String: String] = [:]
        return lines.map { line in
            let matches = pattern.matches(in: line, range: NSRange(line.startIndex..., in: line))
            for match in matches {
                let uuid = (line as NSString).substring(with: match.range).lowercased()
                if names[uuid] == nil { names[uuid] = "<uuid-\(names.count + 1)>" }
            }
            var result = line as NSString
            for match in matches.reversed() {
                result = result.replacingCharacters(in: match.range, with: names[result.substring(with: match.range).lowercased()]!) as NSString
            }
            return result as String
        }
    }

    /// Runs the chain and returns, per command, (command, the lines it printed), the machine
    /// directory's path shown as `/`.
    static func run(_ chain: Chain) throws -> [(Command, [String])] {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bin = FamctlBinary.url.deletingLastPathComponent().path
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FAMCTL_") }
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        var results: [(Command, [String])] = []
        var machine: String?
        // Each block of the chain runs in the environment the previous one left.
        let state = directory.appending(path: ".readme-env").path
        for (index, block) in chain.blocks.enumerated() {
            var body = "umask 022\ncd \"$1\"\n"
            if index > 0 { body += "source \"$2\"\n" }
            body += script(block, machineDirectory: &machine) + "\n__s=$?; export -p > \"$2\"; exit $__s\n"
            // stdout line-buffered, as on a terminal, so the lines interleave as a user sees them.
            let output = try ChildProcess.runMerged(URL(fileURLWithPath: "/usr/bin/stdbuf"),
                                                  ["-oL", "/bin/bash", "-c", body, "bash", directory.path, state],
                                                  environment: environment).output
            var chunks = output.components(separatedBy: marker)
            let setup = chunks.removeFirst()
            try #require(setup.isEmpty, "README.md line \(block.line): the example's setup printed \(setup)")
            try #require(chunks.count == block.commands.count,
                         "README.md line \(block.line): \(chunks.count) of \(block.commands.count) commands ran; output: \(output)")
            var printed = chunks.map { chunk in
                var lines = String(chunk.drop { $0 != "\n" }.dropFirst()).components(separatedBy: "\n")
                if lines.last == "" { lines.removeLast() }
                return lines
            }
            if let machine {
                let absolute = directory.appending(path: machine).path + "/"
                printed = printed.map { $0.map { $0.replacingOccurrences(of: absolute, with: "/") } }
            }
            results += zip(block.commands, printed).map { ($0, $1) }
        }
        return results
    }

    /// The differences between what the README shows and what ran, UUIDs renamed per chain.
    static func mismatches(_ results: [(Command, [String])]) -> [String] {
        let expected = maskUUIDs(results.flatMap(\.0.expected))
        let actual = maskUUIDs(results.flatMap(\.1))
        var problems: [String] = []
        var offsetExpected = 0
        var offsetActual = 0
        for (command, printed) in results {
            let want = Array(expected[offsetExpected..<offsetExpected + command.expected.count])
            let got = Array(actual[offsetActual..<offsetActual + printed.count])
            offsetExpected += command.expected.count
            offsetActual += printed.count
            if want != got {
                problems.append("README.md line \(command.line): \(command.prompt) \(command.text)\n--- README shows:\n\(want.joined(separator: "\n"))\n--- it prints:\n\(got.joined(separator: "\n"))")
            }
        }
        return problems
    }

    @Test(arguments: try chains())
    func exampleOutputIsWhatREADMEShows(_ chain: Chain) throws {
        for problem in Self.mismatches(try Self.run(chain)) { Issue.record(Comment(rawValue: problem)) }
    }

    /// The README has examples of both kinds and the runner can tell a stale one: the first
    /// famfs and the first dax example with their last output line changed must not pass.
    @Test func aChangedOutputLineFails() throws {
        let chains = try Self.chains()
        let famfs = try #require(chains.first { $0.blocks[0].machine == nil })
        let dax = try #require(chains.first { $0.blocks[0].machine != nil })
        for var chain in [famfs, dax] {
            let last = try #require(chain.blocks[0].commands.lastIndex { !$0.expected.isEmpty })
            chain.blocks[0].commands[last].expected[chain.blocks[0].commands[last].expected.count - 1] += " (changed)"
            #expect(Self.mismatches(try Self.run(chain)).count == 1, "\(chain.testDescription)")
        }
    }

    @Test func parserRules() throws {
        let text = """
            <!-- example: famctl-dev sysfs-tree m/sys --machine busy -->
            ```console
            # cat > f <<'EOF'
            > a
            > EOF
            # cat f
            a
            > b
            ```
            """
        let blocks = try Self.parse(text)
        #expect(blocks.count == 1)
        #expect(blocks[0].machine?.name == "busy")
        #expect(blocks[0].commands.map(\.text) == ["cat > f <<'EOF'\na\nEOF", "cat f"])
        #expect(blocks[0].commands[1].expected == ["a", "> b"])
        #expect(throws: ParseError.self) { try Self.parse("```\n# famctl list\n```\n") }
        #expect(throws: ParseError.self) { try Self.parse("<!-- example: sysfs -->\n```console\n$ true\n```\n") }
        // The machine directory stands for /, so the tree is its sys.
        #expect(throws: ParseError.self) { try Self.parse("<!-- example: famctl-dev sysfs-tree m --machine hmem -->\n```console\n$ true\n```\n") }
        #expect(Self.maskUUIDs(["a 52d55102-72d2-4d63-af86-295f02d3abaf b 1017374c-fae1-418d-9a12-55fd5404033f", "52D55102-72d2-4d63-af86-295f02d3abaf"])
                == ["a <uuid-1> b <uuid-2>", "<uuid-1>"])
    }
}
