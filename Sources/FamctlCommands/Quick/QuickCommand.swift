// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// A command that `QuickArguments` can read: its options as its declarations name them, and
/// the command made from what was given.
protocol QuickCommand: ParsableCommand {
    /// Every option and flag the command declares, its option groups' too.
    static var quickOptions: [QuickArguments.Option] { get }
    /// Whether the command takes positional arguments.
    static var quickPositionals: Bool { get }
    /// The command with every property set: argument-parser's property wrappers cannot be
    /// read until they are, and in an initializer an assignment would make them anew, unset.
    /// nil when a value does not convert: argument-parser then reports it.
    static func quick(_ arguments: QuickArguments) -> Self?
}

extension Famctl {
    /// The commands read by `QuickArguments`, by name.
    static let quickCommands: [(name: String, type: any QuickCommand.Type)] = [
        ("list", List.self),
        ("reconfigure-device", ReconfigureDevice.self),
        ("online-memory", OnlineMemory.self),
        ("offline-memory", OfflineMemory.self),
        ("enable-device", EnableDevice.self),
        ("disable-device", DisableDevice.self),
        ("destroy-device", DestroyDevice.self),
    ]

    /// Runs `invocation` (argv without the program name) when it is one `QuickArguments` reads
    /// and its command validates; returns otherwise, having done nothing. Only the command's
    /// `validate()` runs: argument-parser would run its option groups' too, and they have none.
    static func runQuick(_ invocation: [String]) {
        if invocation == ["--version"] {
            Console.out(version + "\n")
            Glibc.exit(ExitCodes.success)
        }
        guard var command = quickCommand(invocation), (try? command.validate()) != nil else { return }
        do {
            try command.run()
            Glibc.exit(ExitCodes.success)
        } catch {
            ExitCodes.exit(for: error, command: type(of: command))
        }
    }

    /// The command `invocation` names, read by `QuickArguments`; nil when argument-parser must
    /// read it.
    static func quickCommand(_ invocation: [String]) -> (any QuickCommand)? {
        guard let name = invocation.first, let type = quickCommands.first(where: { $0.name == name })?.type,
            let arguments = QuickArguments(invocation.dropFirst(), options: type.quickOptions, positionals: type.quickPositionals)
        else { return nil }
        return type.quick(arguments)
    }
}
