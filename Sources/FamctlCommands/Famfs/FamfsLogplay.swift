// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamfsKit
import FoundationEssentials

struct FamfsLogplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logplay",
        abstract: "Replay the famfs metadata log into a directory tree.",
        discussion: """
            Reads the log of TARGET (a char dax device, an image file or a path inside a mounted \
            famfs) and creates each logged directory and file: with --into DIR as empty files with the logged modes and owners, \
            with --shadow DIR as the shadow YAML files famfs's FUSE daemon reads (under DIR/root, \
            created when missing). Existing entries are left alone, so replaying again creates \
            nothing. Bad log entries are reported and skipped. Symlinks inside DIR are never \
            followed.

            \(ExitCodes.help(.logplay))
            """
    )

    @Flag(name: [.customShort("n"), .customLong("dry-run")], help: "Validate and report what a replay into an empty directory would create.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "Per-entry lines (-vv: extents of simple files too).")
    var verbose: Int

    @Flag(name: .shortAndLong, help: "Replay as a client: files without write bits (the default on a host that does not own the file system).")
    var client = false

    @Option(help: ArgumentHelp("Write shadow YAML files under DIR/root.", valueName: "dir"))
    var shadow: String?

    @Option(help: ArgumentHelp("Create the tree with empty placeholder files under DIR.", valueName: "dir"))
    var into: String?

    @Flag(help: "With --shadow: read every shadow YAML back and compare it with its log entry.")
    var shadowtest = false

    @Flag(help: "Print the result as JSON instead of the text summary.")
    var json = false

    @OptionGroup var environment: FamfsEnvironmentOptions

    @OptionGroup var daxMode: FamfsDaxModeOptions

    @Argument(help: ArgumentHelp("Char dax device, image file, or a path inside a mounted famfs.", valueName: "target"),
              completion: .file())
    var target: String

    /// famfs users give the directory as a second operand; the message then names --into.
    @Argument(help: .hidden)
    var directory: String?

    func validate() throws {
        if let directory {
            throw ValidationError("logplay takes one target; to replay into \(directory), give --into \(directory) (or --shadow \(directory) for shadow YAML)")
        }
        if shadow != nil, into != nil { throw ValidationError("--shadow and --into are exclusive; give one") }
        if dryRun, shadow != nil || into != nil {
            throw ValidationError("--dry-run creates nothing; drop --shadow/--into or --dry-run")
        }
        if !dryRun, shadow == nil, into == nil {
            throw ValidationError("nothing to replay into: give --into DIR, --shadow DIR or --dry-run")
        }
        if shadowtest, shadow == nil { throw ValidationError("--shadowtest needs --shadow DIR") }
    }

    func run() throws { try run(kernel: nil) }

    /// The command on `kernel` (nil: the one the sysfs root names).
    func run(kernel: DaxKernel?) throws {
        try environment.daxMode("logplay", target: target, daxMode, kernel: kernel).run(replay)
    }

    private func replay(_ devices: any DeviceOpening) throws {
        let log = try OpenedLog(path: target, access: .read, opener: environment.volumeOpener(devices))
        let owner = SystemUUID.read(environment.systemUUIDFile) == log.superblock.systemUUID
        let destination: Logplay.Destination = shadow.map { .shadow($0) } ?? into.map { .into($0) } ?? .none
        let options = Logplay.Options(
            destination: destination, client: client || !owner, shadowTest: shadowtest, verbosity: json ? 0 : verbose)
        let output = OrderedOutput()
        var logplay = try Logplay(options: options) { line in
            switch line {
            case .info(let text): if !json { output.out(text) }
            case .error(let text): output.err(text)
            }
        }
        let report = try logplay.run(log)
        if json { output.out(Self.json(report, shadowTest: shadowtest)) }
        output.flush()
        guard report.errorCount == 0 else {
            throw CommandError.logplayErrors(report.errorCount)
        }
    }

    /// The `--json` object, in the style of every famctl JSON (snake_case keys in a fixed
    /// order, the writer fsck uses); its keys are listed in famctl-famfs-logplay(8).
    static func json(_ report: Logplay.Report, shadowTest: Bool) -> String {
        func counts(_ counts: Logplay.Counts) -> JSON {
            .object([("files", .number(UInt64(counts.files))), ("directories", .number(UInt64(counts.directories)))])
        }
        var members: [(String, JSON)] = [
            ("entries", .number(report.entries)),
            ("mode", .string(report.dryRun ? "dry-run" : report.shadow ? "shadow" : "into")),
            ("created", counts(report.created)),
            ("existed", counts(report.existed)),
        ]
        if report.dryRun { members.append(("would_create", counts(report.wouldCreate))) }
        members += [
            ("file_errors", .number(UInt64(report.fileErrors))),
            ("directory_errors", .number(UInt64(report.directoryErrors))),
            ("bad_entries", .array(report.badEntries.map { bad in
                .object([
                    ("index", .number(bad.index)),
                    ("path", bad.path.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
                    ("problem", .string(bad.problem.description)),
                ])
            })),
        ]
        if shadowTest {
            members += [("yaml_checked", .number(UInt64(report.yamlChecked))), ("yaml_errors", .number(UInt64(report.yamlErrors)))]
        }
        members.append(("errors", .number(UInt64(report.errorCount))))
        return JSON.object(members).rendered(indent: 0)
    }
}

/// Standard output buffered (one write per 64 KiB for long verbose replays) and flushed
/// before anything goes to standard error, so the two streams stay in program order.
final class OrderedOutput {
    private var pending = ""

    func out(_ line: String) {
        pending += line
        pending += "\n"
        if pending.utf8.count >= 1 << 16 { flush() }
    }

    func err(_ line: String) {
        flush()
        FamfsOutput.error("logplay", line)
    }

    func flush() {
        guard !pending.isEmpty else { return }
        Console.out(pending)
        pending = ""
    }
}
