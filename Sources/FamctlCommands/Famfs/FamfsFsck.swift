// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamfsKit

struct FamfsFsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check a famfs file system.",
        discussion: """
            The target is a char dax device (/dev/daxX.Y), an image file (which may hold only \
            the superblock region and the log; the device size then comes from the superblock), \
            or any path inside a mounted famfs (its .meta/.superblock and .meta/.log are read). \
            fsck never writes. The report has upstream famfs's layout from "Famfs Superblock:" \
            on; problems go to stderr first, one line each. Upstream's -h (human) is -u/--human \
            here; -h is help.

            \(ExitCodes.help(.fsck))
            """
    )

    @Flag(name: [.customShort("u"), .long], help: "Print sizes in GiB.")
    var human = false

    @Flag(name: .shortAndLong, help: "Add the layout constants block.")
    var verbose = false

    @Option(name: [.customShort("B"), .long], help: "Add usage statistics for N interleave buckets (1-64).")
    var nbuckets: Int?

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @OptionGroup var environment: FamfsEnvironmentOptions

    @OptionGroup var daxMode: FamfsDaxModeOptions

    @Argument(help: "Dax device, image file, or a path inside a mounted famfs.", completion: .file())
    var target: String

    /// famfs users type upstream's `famfs fsck -h TARGET` for human sizes. Here -h is help,
    /// and help with a target would exit 0 without checking anything, so a command line that
    /// is a complete check once its -h is taken out is a usage error naming -u/--human.
    /// `invocation` is what follows the program name.
    static func humanFlagMisuse(_ invocation: [String]) -> ValidationError? {
        guard invocation.starts(with: ["famfs", "fsck"]) else { return nil }
        let arguments = invocation.dropFirst(2)
        let isShortCluster = { (argument: String) in
            argument.count > 1 && argument.hasPrefix("-") && !argument.hasPrefix("--") && argument.dropFirst().allSatisfy(\.isLetter)
        }
        guard arguments.contains(where: { isShortCluster($0) && $0.contains("h") }) else { return nil }
        let withoutHelp = arguments.compactMap { argument -> String? in
            guard isShortCluster(argument) else { return argument }
            let rest = argument.filter { $0 != "h" }
            return rest == "-" ? nil : rest
        }
        guard (try? parse(withoutHelp)) != nil else { return nil }
        return ValidationError("-h is help, not human-readable sizes (upstream's famfs fsck -h): use -u/--human")
    }

    func validate() throws {
        if let nbuckets, !BucketStatistics.bucketRange.contains(nbuckets) {
            throw ValidationError("--nbuckets \(nbuckets) is out of range (expected 1-64)")
        }
    }

    func run() throws { try run(kernel: nil) }

    /// The command on `kernel` (nil: the one the sysfs root names).
    func run(kernel: DaxKernel?) throws {
        try environment.daxMode("fsck", target: target, daxMode, kernel: kernel).run(check)
    }

    private func check(_ devices: any DeviceOpening) throws {
        let volume: FamfsVolume
        var report: FsckReport
        do throws(VolumeError) {
            volume = try environment.volumeOpener(devices).open(target)
            do {
                report = try FsckChecker.check(
                    volume, systemUUID: SystemUUID.read(environment.systemUUIDFile), nbuckets: nbuckets)
            } catch {
                throw VolumeError.device(error)
            }
        } catch {
            FamfsOutput.error("fsck", error.description)
            if json { Console.out(JSON.object(Self.failureJSON(target, error, ExitCodes.code(for: error, command: Self.self))).rendered(indent: 0) + "\n") }
            throw CommandError.famfsReported(error)
        }
        if volume.isShorterThanDevice {
            report.notes.append(
                "\(target) holds only the metadata (\(volume.logFile.size) bytes); capacity figures use the superblock's device size \(volume.superblock.deviceSize)")
        }
        for mount in MountTable(path: environment.mountTable).mounts(of: target) where mount.isFamfs {
            report.warnings.append("\(target) is mounted on \(mount.mountPoint); the kernel's view may be newer than this check")
        }
        let verdict: CommandError? = report.isClean ? nil : .fsckProblems
        let status = verdict.map { ExitCodes.code(for: $0, command: Self.self) } ?? ExitCodes.success
        for problem in report.problems { FamfsOutput.error("fsck", problem.description) }
        for warning in report.warnings { FamfsOutput.error("fsck", "warning: \(warning)") }
        for note in report.notes { FamfsOutput.error("fsck", "note: \(note)") }
        if json {
            Console.out(report.json(target: target, exitStatus: status))
        } else {
            var text = report.text(human: human)
            if let buckets = report.buckets { text += buckets.text }
            if verbose { text += report.verboseText }
            Console.out(text)
        }
        if let verdict { throw verdict }
    }

    static func failureJSON(_ target: String, _ error: VolumeError, _ status: Int32) -> [(String, JSON)] {
        [("target", .string(target)), ("clean", .bool(false)), ("exit_status", .number(UInt64(status))),
         ("error", .string(error.description))]
    }
}
