// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamctlTestSupport
import Foundation
import Testing

@testable import FamctlCommands

/// `QuickArguments` reads the command lines of the dax commands without argument-parser
/// (issue 13): it must read every one it takes exactly as argument-parser does,
/// and leave every other one to it.
@Suite struct QuickParseTests {
    /// Each command's quick table names exactly the options argument-parser declares, with the
    /// same short names and kinds (whether a short option takes a joined value the dump does
    /// not say: the corpus below tries every joined spelling the table allows).
    @Test(arguments: quickCommands.map(\.name))
    func tableMatchesDeclarations(name: String) throws {
        let type = try #require(Self.quickCommands.first { $0.name == name }?.type)
        let values = type.valuesType
        let dump = try #require(JSONSerialization.jsonObject(with: Data(type._dumpHelp().utf8)) as? [String: Any])
        let arguments = try #require((dump["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var declared: [String: (short: Character?, takesValue: Bool)] = [:]
        var positionals = false
        for argument in arguments {
            let kind = try #require(argument["kind"] as? String)
            let names = (argument["names"] as? [[String: String]]) ?? []
            guard kind != "positional" else {
                positionals = true
                continue
            }
            let long = try #require(names.first { $0["kind"] == "long" }?["name"])
            if long == "help" { continue }
            declared[long] = (names.first { $0["kind"] == "short" }?["name"].flatMap(\.first), kind == "option")
        }
        #expect(Set(declared.keys) == Set(values.quickOptions.map(\.long)), "\(name): quick options differ from the declarations")
        for option in values.quickOptions {
            let match = declared[option.long]
            #expect(match?.short == option.short && match?.takesValue == option.takesValue,
                    "\(name) --\(option.long): quick table says -\(option.short.map(String.init) ?? "") value \(option.takesValue)")
        }
        #expect(values.quickPositionals == positionals)
    }

    /// The quick path reads every command of the tree that has quick values, by its name, and
    /// no other.
    @Test func everyQuickCommandIsDispatched() throws {
        #expect(Self.quickCommands.count == 7)
        for (name, type) in Self.quickCommands {
            let dispatched = try #require(Famctl.quickCommand(named: name), "\(name)")
            #expect(ObjectIdentifier(dispatched) == ObjectIdentifier(type.valuesType), "\(name)")
        }
        for other in Famctl.configuration.subcommands where !(other is any QuickCommand.Type) {
            #expect(Famctl.quickCommand(named: other._commandName) == nil, "\(other._commandName)")
        }
    }

    /// The command lines of the corpus: both parsers accept the same ones and give the same
    /// values of each (every property, dumped), the values the command's work runs on.
    @Test(arguments: quickCommands.map(\.name))
    func bothParsersAgree(name: String) throws {
        let type = try #require(Self.quickCommands.first { $0.name == name }?.type)
        let corpus = Self.corpus(name)
        var accepted = 0
        for line in corpus {
            let quick = Self.quick([name] + line)
            // The command parsed alone, as under famctl: the same options; much faster in a test.
            let full = (try? type.parse(line))?.values
            #expect((quick == nil) == (full == nil), "\(name) \(line): quick \(quick == nil ? "refuses" : "accepts"), argument-parser \(full == nil ? "refuses" : "accepts")")
            if let quick, let full {
                accepted += 1
                #expect(Self.dumped(quick) == Self.dumped(full), "\(name) \(line)")
            }
        }
        // The corpus must exercise the quick path, not only its refusals.
        #expect(accepted > corpus.count / 3, "\(name): only \(accepted) of \(corpus.count) command lines accepted")
    }

    /// What the quick reader leaves to argument-parser, which accepts some of these: help,
    /// repeats, `--`, spellings it may read otherwise, a combining mark that joins `-`, `=` or
    /// a letter with it in one Character.
    @Test(arguments: [
        ["list", "--"], ["list", "-h"], ["list", "--help"], ["list", "help"], ["list", "--region"], ["list", "-D", "-D"],
        ["list", "-DD"], ["list", "--devices", "-D"], ["list", "--region", "0", "-r1"], ["list", "--dev", "-D"], ["list", "--dev="],
        ["list", "--devices=yes"], ["list", "-x"], ["list", "--bogus"], ["list", "dax0.0"], ["list", "--version"],
        ["list", "--experimental-dump-help"], ["list", "--generate-completion-script", "bash"],
        ["reconfigure-device", "-m=famfs", "dax0.0"], ["reconfigure-device", "-m", "-f", "dax0.0"],
        ["reconfigure-device", "--movable", "--no-movable", "-m", "system-ram", "dax0.0"],
        ["reconfigure-device", "-m", "devdax", "--", "dax0.0"], ["reconfigure-device", "-m", "devdax", "-"],
        ["reconfigure-device", "-m", "devdax", "--busy-retries", "-1", "dax0.0"], ["reconfigure-device", "-m", "ram", "dax0.0"],
        ["reconfigure-device", "-m", "devdax"], ["reconfigure-device", "dax0.0"], ["reconfigure-device", "-fm", "devdax", "dax0.0"],
        ["online-memory", "--movable", "--no-movable", "dax0.0"], ["online-memory", "--no-movable", "--no-movable", "dax0.0"],
        ["offline-memory"], ["disable-device", "--busy-retries", "two", "dax0.0"], ["destroy-device", "-ff", "dax0.0"],
        ["create-device", "-s", "1g"], ["--version", "list"], ["list-devices"], ["famfs", "fsck", "x"], [],
        ["list", "--sysfs-root=\u{301}/sys"], ["list", "--sysfs-root", "-\u{301}"], ["list", "-D\u{301}"], ["list", "-r\u{301}0"],
        ["list", "--devices\u{301}"], ["reconfigure-device", "-m", "devdax", "-\u{301}"],
    ])
    func leftToArgumentParser(line: [String]) {
        #expect(Self.quick(line) == nil, "\(line)")
    }

    @Test func versionIsArgumentParsers() throws {
        let error = try #require(throws: (any Error).self) { try Famctl.parseAsRoot(["--version"]) }
        #expect(Famctl.message(for: error) == Famctl.version)
        #expect(Famctl.exitCode(for: error) == .success)
        let run = try FamctlBinary.run(["--version"])
        #expect(run.status == 0 && run.stdout == Famctl.version + "\n" && run.stderr.isEmpty)
    }

    /// Installed as mkfs.famfs (any path to it), famctl is `famctl famfs mkfs`; the program's
    /// file name is read by bytes now, as the kernel does.
    @Test(arguments: [
        ("mkfs.famfs", true), ("/usr/sbin/mkfs.famfs", true), ("./mkfs.famfs", true), ("/sbin/mkfs.famfs/", true),
        ("famctl", false), ("/usr/bin/famctl", false), ("/x/mkfs.famfsx", false), ("/x/xmkfs.famfs", false),
        ("mkfs.famfs/famctl", false), ("", false), ("/", false),
    ])
    func programNameMkfsFamfs(program: String, isMkfs: Bool) {
        let line = Famctl.commandLine(for: [program, "-f", "/dev/dax0.0"])
        #expect(line == (isMkfs ? ["famfs", "mkfs", "-f", "/dev/dax0.0"] : ["-f", "/dev/dax0.0"]), "\(program)")
    }

    // MARK: helpers

    /// The commands of the tree that have quick values, by name.
    static let quickCommands: [(name: String, type: any QuickCommand.Type)] = Famctl.configuration.subcommands.compactMap { type in
        (type as? any QuickCommand.Type).map { ($0._commandName, $0) }
    }

    /// The values the quick path would run the command on, nil when it leaves the line to
    /// argument-parser.
    static func quick(_ line: [String]) -> (any QuickValues)? {
        guard let name = line.first, let type = Famctl.quickCommand(named: name) else { return nil }
        return type.quick(line.dropFirst())
    }

    static func dumped(_ command: Any) -> String {
        var text = ""
        dump(command, to: &text)
        return text
    }

    /// Values to try for each option: valid ones, and ones that do not convert.
    static let samples: [String: [String]] = [
        "region": ["0", "region1", "all"], "dev": ["dax0.0", "0.1", "all"], "sysfs-root": ["/tmp/famctl-no-such-root", "/tmp/famctl-\u{E9}-no-such-root"],
        "backend": ["sysfs", "libdaxctl", "bogus"], "mode": ["devdax", "system-ram", "famfs", "pmem"],
        "size": ["2m", "0x200000", "12q"], "align": ["4k", "1g"], "config-dir": ["/etc/famctl-conf"], "busy-retries": ["3", "x"],
    ]

    /// Every spelling of every option with each sample value, alone on base lines that make
    /// the command valid; pairs of different options (long, with their first sample values);
    /// groups of short flags.
    static func corpus(_ name: String) -> [[String]] {
        let type = quickCommands.first { $0.name == name }!.type.valuesType
        var atoms: [(option: String, tokens: [String], first: Bool)] = []
        for option in type.quickOptions {
            guard option.takesValue else {
                // Flags of an exclusive set repeat one another.
                let key = option.exclusive ?? option.long
                atoms.append((key, ["--\(option.long)"], true))
                if let short = option.short { atoms.append((key, ["-\(short)"], false)) }
                continue
            }
            for (index, value) in (samples[option.long] ?? []).enumerated() {
                atoms += [(option.long, ["--\(option.long)", value], index == 0), (option.long, ["--\(option.long)=\(value)"], false)]
                if let short = option.short {
                    atoms.append((option.long, ["-\(short)", value], false))
                    if option.joined { atoms.append((option.long, ["-\(short)\(value)"], false)) }
                }
            }
        }
        let shortFlags = type.quickOptions.filter { !$0.takesValue }.compactMap(\.short)
        for length in stride(from: 2, through: shortFlags.count, by: 1) {
            atoms.append(("", ["-" + String(shortFlags.prefix(length))], false))
            atoms.append(("", ["-" + String(shortFlags.suffix(length).reversed())], false))
        }
        // Each base with the options it gives, which no atom may repeat.
        let bases: [(tokens: [String], options: Set<String>)] =
            switch name {
            case "reconfigure-device":
                [(["dax0.0"], []), (["-m", "devdax", "dax0.0"], ["mode"]), (["all", "-s", "2m"], ["size"]),
                 (["dax0.0", "-m", "system-ram", "dax1.0"], ["mode"])]
            case _ where type.quickPositionals: [(["dax0.0"], []), (["all"], []), (["dax0.0", "dax1.0"], [])]
            default: [([], [])]
            }
        var lines: [[String]] = []
        for base in bases {
            lines += atoms.filter { !base.options.contains($0.option) }.map { base.tokens + $0.tokens }
        }
        let pairable = atoms.filter(\.first)
        for (index, first) in pairable.enumerated() {
            for second in pairable[(index + 1)...] where second.option != first.option {
                lines.append(first.tokens + bases[0].tokens + second.tokens)
            }
        }
        return lines
    }
}

extension QuickCommand {
    static var valuesType: any QuickValues.Type { Values.self }
}

extension QuickArguments.Option {
    /// The letter as argument-parser's declarations and dumps name it.
    var short: Character? { letter.map { Character(Unicode.Scalar($0)) } }
}
