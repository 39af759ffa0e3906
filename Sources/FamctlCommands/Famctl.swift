// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Glibc

/// The root of the command tree: daxctl's device commands at the top level, the famfs
/// toolset under `famctl famfs`.
public struct Famctl: ParsableCommand {
    public static let version = "0.4.4"

    public static let configuration = CommandConfiguration(
        commandName: "famctl",
        abstract: "Manage dax devices and famfs file systems on CXL and persistent-memory hosts.",
        discussion: """
            Device commands take daxctl's names, options and JSON. famfs commands work on a \
            char dax device (/dev/daxX.Y) or on an image file.
            """,
        version: version,
        groupedSubcommands: [
            CommandGroup(
                name: "Dax devices",
                subcommands: [
                    List.self,
                    ReconfigureDevice.self,
                    OnlineMemory.self,
                    OfflineMemory.self,
                    EnableDevice.self,
                    DisableDevice.self,
                    CreateDevice.self,
                    DestroyDevice.self,
                ]
            ),
            CommandGroup(name: "File systems", subcommands: [FamfsCommand.self]),
        ]
    )

    public init() {}

    /// Parses `arguments` (argv, program name first), runs the command and exits with the
    /// code that `ExitCodes` assigns to the outcome.
    public static func run(arguments: [String]) -> Never {
        let invocation = commandLine(for: arguments)
        if let misuse = FamfsFsck.humanFlagMisuse(invocation) { FamfsFsck.exit(withError: misuse) }
        runQuick(invocation)
        // Until a command is parsed, only argument-parser's own errors can occur.
        var commandType: any ParsableCommand.Type = Famctl.self
        do {
            var command = try parseAsRoot(invocation)
            commandType = type(of: command)
            try command.run()
            Glibc.exit(ExitCodes.success)
        } catch {
            ExitCodes.exit(for: error, command: commandType)
        }
    }

    /// The arguments to parse for argv. Installed as `mkfs.famfs`, famctl is what
    /// `mkfs -t famfs <device>` executes, so that program name stands for `famctl famfs mkfs`.
    static func commandLine(for arguments: [String]) -> [String] {
        let options = Array(arguments.dropFirst())
        guard let program = arguments.first, fileName(program).elementsEqual("mkfs.famfs".utf8) else { return options }
        return ["famfs", "mkfs"] + options
    }

    /// The last component of `path`, trailing slashes ignored, as the kernel reads a path: by
    /// bytes (splitting the String by Characters runs Unicode segmentation at every start).
    private static func fileName(_ path: String) -> Substring.UTF8View {
        var name = path.utf8[...]
        while name.last == UInt8(ascii: "/") { name = name.dropLast() }
        guard let slash = name.lastIndex(of: UInt8(ascii: "/")) else { return name }
        return name[name.index(after: slash)...]
    }
}
