// SPDX-License-Identifier: Apache-2.0
// Renders famctl's section-8 man pages (mdoc) from the command tree that
// `famctl --experimental-dump-help` prints, merged with the hand-written sections in
// man/src/<page>.mdoc. Run by scripts/gen-docs.sh, which also expands the EXAMPLES there:
//
//     famctl-mangen <dump.json> <source dir> <output dir> <yyyy-mm-dd> <version>
//
// One page per command that runs something (`famctl` itself, `famctl list`, ...,
// `famctl famfs mkfs`); a command group without its own action (`famctl famfs`) and
// argument-parser's `help` get none. The page of `famctl a b` is `famctl-a-b.8`.
//
// Generated: NAME, SYNOPSIS, the command's own description, OPTIONS (every argument with
// its value name, accepted values and default), and the COMMANDS list of famctl(8).
// Hand-written (required for every page): EXIT STATUS, EXAMPLES, FILES, SEE ALSO; optional:
// more DESCRIPTION text (appended), ENVIRONMENT, and any section of its own (such as
// "DIFFERENCES FROM DAXCTL"), placed before SEE ALSO. A source line `.\" include <file>`
// is replaced by man/src/<file>; a line `.\" exit-status: <family>` by the list of that
// family's exit statuses in famctl's table (ExitCodes.table: dax, famfs, fsck, logplay,
// famfs-mode), so a page cannot list another status than the command exits with.
import FamctlCommands
import Foundation

struct Dump: Decodable {
    var command: Command
}

struct Command: Decodable {
    var commandName: String
    var abstract: String?
    var discussion: String?
    var subcommands: [Command]?
    var arguments: [Argument]?
}

struct Argument: Decodable {
    struct Name: Decodable {
        var kind: String
        var name: String
    }
    var kind: String
    var shouldDisplay: Bool
    var isOptional: Bool
    var isRepeating: Bool
    var names: [Name]?
    var preferredName: Name?
    var valueName: String?
    var defaultValue: String?
    var allValues: [String]?
    var allValueDescriptions: [String: String]?
    var completionKind: [String: CompletionValues]?
    var abstract: String?
    var discussion: String?
}

/// The payload of a `completionKind`; only `list` carries values.
struct CompletionValues: Decodable {
    var values: [String]?
}

struct Failure: Error, CustomStringConvertible {
    var description: String
}

/// A page to write: the command and the words that invoke it (`["famctl", "famfs", "mkfs"]`).
struct Page {
    var command: Command
    var path: [String]
    var name: String { path.joined(separator: "-") }
}

func pages(_ command: Command, path: [String]) -> [Page] {
    let path = path + [command.commandName]
    let children = (command.subcommands ?? []).filter { $0.commandName != "help" }
    let isGroup = !children.isEmpty && path.count > 1
    let own = isGroup ? [] : [Page(command: command, path: path)]
    return own + children.flatMap { pages($0, path: path) }
}

// MARK: roff text

/// Text for body lines: backslashes escaped, one sentence per line and at most 78 bytes a
/// line where words allow (mandoc's style rules), no line starting with a control character,
/// no trailing blanks.
func roffLines(_ text: String) -> [String] {
    text.replacingOccurrences(of: "\\", with: "\\e")
        .replacingOccurrences(of: ". ", with: ".\n")
        .split(separator: "\n", omittingEmptySubsequences: true)
        .flatMap { wrapped(String($0).trimmingCharacters(in: .whitespaces)) }
        .map { line in line.first.map { ".'".contains($0) } == true ? "\\&" + line : line }
}

func wrapped(_ line: String, width: Int = 78) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in line.split(separator: " ", omittingEmptySubsequences: true) {
        if !current.isEmpty && current.count + 1 + word.count > width {
            lines.append(current)
            current = String(word)
        } else {
            current += current.isEmpty ? String(word) : " " + word
        }
    }
    return current.isEmpty ? lines : lines + [current]
}

/// One macro argument, quoted so blanks and delimiters stay literal.
func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "\"", with: "\\(dq")
        + "\""
}

func paragraphs(_ text: String?) -> [String] {
    guard let text, !text.isEmpty else { return [] }
    return text.components(separatedBy: "\n\n").enumerated().flatMap { index, paragraph in
        (index == 0 ? [] : [".Pp"]) + roffLines(paragraph)
    }
}

// MARK: generated parts

func flag(_ name: Argument.Name) -> String {
    switch name.kind {
    case "short": return "Fl \(name.name)"
    case "longWithSingleDash": return "Fl \(name.name)"
    default: return "Fl -\(name.name)"
    }
}

func valueNames(_ argument: Argument) -> String {
    let value = "Ar \(argument.valueName ?? "value")"
    return argument.isRepeating ? "\(value) ..." : value
}

/// `Fl m Ar mode`, `Fl -force`, `Ar device ...`: how the argument is written.
func usage(_ argument: Argument, name: Argument.Name?) -> String {
    switch argument.kind {
    case "positional": return valueNames(argument)
    case "flag": return name.map(flag) ?? ""
    default: return name.map { "\(flag($0)) \(valueNames(argument))" } ?? ""
    }
}

func isHelpOrVersion(_ argument: Argument) -> Bool {
    argument.kind == "flag" && ["help", "version"].contains(argument.preferredName?.name ?? "")
}

/// daxctl's order of each command's options (its `daxctl COMMAND -h`, by long name), which
/// the SYNOPSIS follows so a daxctl user finds them where daxctl's usage has them; famctl's
/// `--movable` goes before daxctl's `--no-movable`.
let daxctlOrder: [String: [String]] = {
    let device = ["region", "human", "verbose"]
    let switches = device + ["size", "align", "input", "mode", "no-online", "force", "check-config", "movable", "no-movable"]
    return [
        "famctl-list": ["region", "dev", "devices", "regions", "mappings", "idle", "human"],
        "famctl-reconfigure-device": switches,
        "famctl-create-device": switches,
        "famctl-online-memory": device + ["movable", "no-movable"],
        "famctl-offline-memory": device,
        "famctl-enable-device": device,
        "famctl-disable-device": device,
        "famctl-destroy-device": device + ["force"],
    ]
}()

/// The SYNOPSIS order: daxctl's options in daxctl's order, then famctl's own in the order
/// they are declared, then the operands.
func synopsisOrder(_ arguments: [Argument], page: String) -> [Argument] {
    let order = daxctlOrder[page] ?? []
    func rank(_ argument: Argument) -> Int {
        if argument.kind == "positional" { return order.count + 1 }
        let long = (argument.names ?? []).first { $0.kind == "long" }?.name
        return long.flatMap { order.firstIndex(of: $0) } ?? order.count
    }
    return arguments.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
}

/// The name a SYNOPSIS shows: the short one where there is one, as daxctl's usage does.
func synopsisName(_ argument: Argument) -> Argument.Name? {
    argument.names?.first { $0.kind == "short" } ?? argument.preferredName
}

func synopsis(_ page: Page) -> [String] {
    var lines = [".Nm famctl"]
    if page.path.count > 1 { lines.append(".Cm \(page.path.dropFirst().joined(separator: " "))") }
    let shown = (page.command.arguments ?? []).filter { $0.shouldDisplay && !isHelpOrVersion($0) }
    for argument in synopsisOrder(shown, page: page.name) {
        let written = usage(argument, name: synopsisName(argument))
        lines.append(argument.isOptional ? ".Op \(written)" : ".\(written)")
    }
    if page.path.count == 1 { lines += [".Ar command", ".Op Ar arguments"] }
    return lines
}

func accepted(_ argument: Argument) -> [String] {
    let values = argument.allValues ?? argument.completionKind?["list"]?.values ?? []
    guard !values.isEmpty else { return [] }
    var lines = ["Accepted values:"]
    if let descriptions = argument.allValueDescriptions, !descriptions.isEmpty {
        lines.append(".Bl -tag -width Ds -compact")
        for value in values {
            lines += [".It Cm \(quoted(value))"] + roffLines(descriptions[value] ?? "")
        }
        lines.append(".El")
    } else {
        for (index, value) in values.enumerated() {
            lines.append(".Cm \(quoted(value)) \(index == values.count - 1 ? "." : ",")")
        }
    }
    return lines
}

func optionItem(_ argument: Argument) -> [String] {
    let names = argument.names ?? []
    let heads = argument.kind == "positional" || names.isEmpty
        ? [usage(argument, name: nil)]
        : names.sorted { ($0.kind == "short" ? 0 : 1) < ($1.kind == "short" ? 0 : 1) }
            .map { usage(argument, name: $0) }
    var lines = [".It \(heads.joined(separator: " , "))"]
    lines += roffLines(argument.abstract ?? "")
    if let discussion = argument.discussion, !discussion.isEmpty { lines += [".Pp"] + paragraphs(discussion) }
    lines += accepted(argument)
    if let value = argument.defaultValue, !value.isEmpty {
        lines += ["The default is", ".Ql \(quoted(value)) ."]
    }
    return lines
}

func options(_ page: Page) -> [String] {
    let arguments = (page.command.arguments ?? []).filter { $0.shouldDisplay }
    guard !arguments.isEmpty else { return [] }
    let ordered = arguments.filter { $0.kind == "positional" } + arguments.filter { $0.kind != "positional" }
    return [".Sh OPTIONS", ".Bl -tag -width Ds"] + ordered.flatMap(optionItem) + [".El"]
}

func commandList(_ root: Command, all: [Page]) -> [String] {
    guard all.count > 1 else { return [] }
    var lines = [".Sh COMMANDS", ".Bl -tag -width Ds"]
    for page in all where page.path.count > 1 {
        lines.append(".It Cm \(page.path.dropFirst().joined(separator: " "))")
        lines += roffLines(page.command.abstract ?? "")
        lines += ["See", ".Xr \(page.name) 8 ."]
    }
    return lines + [".El"]
}

// MARK: hand-written sections

/// The `.Bl` list of `family`'s statuses, each with its meaning.
func exitStatusList(_ name: String, source: URL) throws -> String {
    guard let family = ExitCodes.Family(rawValue: name) else {
        let known = ExitCodes.Family.allCases.map(\.rawValue).joined(separator: ", ")
        throw Failure(description: "exit-status family '\(name)' in \(source.path) is not one of \(known)")
    }
    var lines = [".Bl -tag -width Ds"]
    for status in ExitCodes.table(family) {
        lines.append(".It Sy \(status.code)" + (status.last.map { " No to Sy \($0)" } ?? ""))
        lines += roffLines(status.meaning)
    }
    return (lines + [".El"]).joined(separator: "\n")
}

func expandIncludes(_ text: String, source: URL, depth: Int = 0) throws -> String {
    guard depth < 8 else { throw Failure(description: "include nesting too deep in \(source.path)") }
    return try text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
        let statuses = ".\\\" exit-status: "
        if line.hasPrefix(statuses) {
            return try exitStatusList(String(line.dropFirst(statuses.count)).trimmingCharacters(in: .whitespaces), source: source)
        }
        let prefix = ".\\\" include "
        guard line.hasPrefix(prefix) else { return String(line) }
        let file = source.appending(path: String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces))
        let included = try String(contentsOf: file, encoding: .utf8)
        return try expandIncludes(included.hasSuffix("\n") ? String(included.dropLast()) : included,
                                  source: source, depth: depth + 1)
    }.joined(separator: "\n")
}

/// The `.Sh` sections of a source file, in order, as (title, body lines).
func sections(_ text: String) -> [(title: String, body: [String])] {
    var result: [(title: String, body: [String])] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        if line.hasPrefix(".Sh ") {
            let title = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            result.append((title, []))
        } else if !result.isEmpty, !(line.isEmpty && result[result.count - 1].body.isEmpty) {
            result[result.count - 1].body.append(line)
        }
    }
    return result.map { section in
        var body = section.body
        while body.last?.isEmpty == true { body.removeLast() }
        return (section.title, body)
    }
}

let required = ["FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"]
let before = ["ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "DIAGNOSTICS"]
let after = ["SEE ALSO", "STANDARDS", "HISTORY", "AUTHORS", "CAVEATS", "BUGS"]

func heading(_ title: String) -> String {
    title.contains(" ") ? ".Sh \"\(title)\"" : ".Sh \(title)"
}

func render(
    _ page: Page, root: Command, all: [Page], source: URL, date: String, version: String
) throws -> String {
    let file = source.appending(path: "\(page.name).mdoc")
    guard let text = try? String(contentsOf: file, encoding: .utf8) else {
        throw Failure(description: "\(file.path) is missing: every page needs its hand-written sections")
    }
    let hand = sections(try expandIncludes(text, source: source))
    let titles = hand.map(\.title)
    if let missing = required.first(where: { !titles.contains($0) }) {
        throw Failure(description: "\(file.path) has no \(missing) section")
    }
    func body(_ title: String) -> [String] { hand.first { $0.title == title }?.body ?? [] }

    var lines = [
        ".\\\" Generated by scripts/gen-docs.sh from famctl's command definitions and",
        ".\\\" man/src/\(page.name).mdoc: edit those and regenerate, not this file.",
        ".Dd \(date)",
        // groff's mdoc (man-db's renderer) heads every page "BSD System Manager's Manual"
        // unless this string is emptied; mandoc ignores it and prints no OS there anyway.
        ".ds doc-volume-operating-system",
        ".Dt \(page.name.uppercased()) 8",
        // The footer names the release (mandoc calls that a style issue; BSD would be wrong).
        ".Os famctl \(version)",
        ".Sh NAME",
        ".Nm \(page.name)",
        ".Nd \((page.command.abstract ?? "").trimmingCharacters(in: CharacterSet(charactersIn: ".")))",
        ".Sh SYNOPSIS",
    ]
    lines += synopsis(page)
    lines.append(".Sh DESCRIPTION")
    let generated = paragraphs(page.command.discussion)
    let extra = body("DESCRIPTION")
    lines += generated + (generated.isEmpty || extra.isEmpty ? [] : [".Pp"]) + extra
    if generated.isEmpty && extra.isEmpty { lines += roffLines(page.command.abstract ?? "") }
    if page.path.count == 1 { lines += commandList(root, all: all) }
    lines += options(page)
    let custom = titles.filter { !before.contains($0) && !after.contains($0) && $0 != "DESCRIPTION" }
    for title in before + custom + after where titles.contains(title) {
        lines += [heading(title)] + body(title)
    }
    return asciiOnly(lines.joined(separator: "\n") + "\n")
}

/// Non-ASCII characters (help texts use `…`, outputs may hold anything) as `\[uXXXX]`
/// escapes, which groff reads without a preprocessor and mandoc reads too.
func asciiOnly(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if scalar.isASCII {
            result.unicodeScalars.append(scalar)
        } else {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            result += "\\[u\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)]"
        }
    }
    return result
}

/// `2026-11-25` → `November 25, 2026` (mdoc's date form), independent of the locale.
func mdocDate(_ iso: String) throws -> String {
    let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
    let parts = iso.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
        throw Failure(description: "date '\(iso)' is not yyyy-mm-dd")
    }
    return "\(months[parts[1] - 1]) \(parts[2]), \(parts[0])"
}

func main() throws {
    let arguments = CommandLine.arguments.dropFirst()
    guard arguments.count == 5 else {
        throw Failure(
            description: "usage: famctl-mangen <dump.json> <source dir> <output dir> <yyyy-mm-dd> <version>")
    }
    let values = Array(arguments)
    let dump = try JSONDecoder().decode(Dump.self, from: Data(contentsOf: URL(fileURLWithPath: values[0])))
    let source = URL(fileURLWithPath: values[1])
    let output = URL(fileURLWithPath: values[2])
    let date = try mdocDate(values[3])
    let all = pages(dump.command, path: [])

    let expected = Set(all.map { "\($0.name).mdoc" })
    let present = Set((try FileManager.default.contentsOfDirectory(atPath: source.path)).filter { $0.hasSuffix(".mdoc") })
    if let stale = present.subtracting(expected).sorted().first {
        throw Failure(description: "man/src/\(stale) matches no famctl command: rename or remove it")
    }
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    for page in all {
        let text = try render(
            page, root: dump.command, all: all, source: source, date: date, version: values[4])
        try Data(text.utf8).write(to: output.appending(path: "\(page.name).8"))
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("mangen: \(error)\n".utf8))
    exit(1)
}
