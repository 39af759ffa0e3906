// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamfsKit
import FoundationEssentials

struct FamfsMkdir: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkdir",
        abstract: "Create directories in a famfs file system.",
        discussion: """
            Appends one MKDIR entry per directory to the log of TARGET (a char dax device, an \
            image file or a path inside a mounted famfs), as upstream `famfs mkdir` does. Paths \
            are relative to the file system root. Only the owner host may append. The mode is \
            not reduced by the umask.

            \(ExitCodes.help(.famfsWriter))
            """
    )

    @Flag(name: .shortAndLong, help: "Create missing parent directories (parents first); an existing directory is not an error.")
    var parents = false

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Mode in octal digits, 0 to 07777 (setuid 04000, setgid 02000 and sticky 01000 included).", valueName: "mode"))
    var mode = OctalMode(argument: "0755")!

    @OptionGroup var ownerOptions: OwnerOptions

    @OptionGroup var environment: FamfsEnvironmentOptions

    @OptionGroup var daxMode: FamfsDaxModeOptions

    @Argument(help: ArgumentHelp("Char dax device, image file, or a path inside a mounted famfs.", valueName: "target"),
              completion: .file())
    var target: String

    @Argument(help: ArgumentHelp("Directories to create, relative to the file system root.", valueName: "path"))
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one directory path") }
        _ = try validatedPaths(paths)
    }

    func run() throws { try run(kernel: nil) }

    /// The command on `kernel` (nil: the one the sysfs root names).
    func run(kernel: DaxKernel?) throws {
        let paths = try validatedPaths(paths)
        let owner = ownerOptions.owner(mode: mode.bits)
        try environment.daxMode("mkdir", target: target, daxMode, kernel: kernel).run { devices in
            _ = try FamfsAppendSession.run(target: target, environment: environment, devices: devices) { planner in
                for path in paths { try planner.mkdir(path, owner: owner, parents: parents) }
            }
        }
    }
}
