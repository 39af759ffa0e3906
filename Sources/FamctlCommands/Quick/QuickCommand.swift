// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// What a command that `QuickArguments` can read was given, as plain values, and the command's
/// work on them. argument-parser's `validate()` and `run()` convert the command's properties
/// into these values and call theirs; the quick path builds the values from `QuickArguments`
/// and never makes the command: its `@Option`s and `@Flag`s (name sets, help texts and the
/// runtime metadata they need) cost more than half a million instructions (issue 13).
protocol QuickValues {
    /// The argument-parser command of these values.
    associatedtype Command: QuickCommand
    /// Every option and flag the command declares, its option groups' too.
    static var quickOptions: [QuickArguments.Option] { get }
    /// Whether the command takes positional arguments.
    static var quickPositionals: Bool { get }
    /// The values `arguments` give; nil when one does not convert: argument-parser then
    /// reports it.
    init?(quick arguments: QuickArguments)
    /// The command's `validate()`: what no single option can check.
    func validate() throws
    func run() throws
    /// Runs the command on the values `arguments` give, and exits; returns, having done
    /// nothing, when argument-parser must read them. A requirement, with the one
    /// implementation below, so that each command's copy is specialized: called generically
    /// through `any QuickValues.Type` it would instantiate `Self?`'s metadata at every start.
    static func runQuick(_ arguments: ArraySlice<String>)
}

extension QuickValues {
    func validate() throws {}
}

/// An argument-parser command whose work is done by its `Values`.
protocol QuickCommand: ParsableCommand {
    associatedtype Values: QuickValues
    /// The parsed properties, as values.
    var values: Values { get }
}

extension QuickCommand {
    func validate() throws { try values.validate() }
    func run() throws { try values.run() }
}

extension Famctl {
    /// The values of the command `name` when `QuickArguments` reads it.
    static func quickCommand(named name: String) -> (any QuickValues.Type)? {
        switch name {
        case "list": List.Values.self
        case "reconfigure-device": ReconfigureDevice.Values.self
        case "online-memory": OnlineMemory.Values.self
        case "offline-memory": OfflineMemory.Values.self
        case "enable-device": EnableDevice.Values.self
        case "disable-device": DisableDevice.Values.self
        case "destroy-device": DestroyDevice.Values.self
        default: nil
        }
    }

    /// Runs `invocation` (argv without the program name) when it is one `QuickArguments` reads
    /// and its command validates; returns otherwise, having done nothing. Only the command's
    /// `validate()` runs: argument-parser would run its option groups' too, and they have none.
    static func runQuick(_ invocation: [String]) {
        if invocation.count == 1 && invocation[0] == "--version" {
            Console.out(version + "\n")
            Glibc.exit(ExitCodes.success)
        }
        guard let name = invocation.first, let type = quickCommand(named: name) else { return }
        type.runQuick(invocation.dropFirst())
    }
}

extension QuickValues {
    /// The values `arguments` (the command's, after its name) give when `QuickArguments` reads
    /// them and they validate; nil when argument-parser must read them.
    static func quick(_ arguments: ArraySlice<String>) -> Self? {
        guard let parsed = QuickArguments(arguments, options: quickOptions, positionals: quickPositionals),
            let values = Self(quick: parsed), (try? values.validate()) != nil
        else { return nil }
        return values
    }

    static func runQuick(_ arguments: ArraySlice<String>) {
        guard let values = quick(arguments) else { return }
        do {
            try values.run()
            Glibc.exit(ExitCodes.success)
        } catch {
            ExitCodes.exit(for: error, command: Command.self)
        }
    }
}
