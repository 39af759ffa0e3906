// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxSimulator
import Foundation

/// The project's developer tool: inputs for tests and for the README's examples, made from
/// the same Swift models the tests use. Not a product: `make install` and the .deb leave it
/// out, and it has no man page.
@main
struct FamctlDev: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "famctl-dev",
        abstract: "Developer tool of the famctl project (not installed): makes the inputs of the tests and README examples.",
        subcommands: [SysfsTree.self, FamfsImage.self])
}

extension ExampleMachine: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }
}

struct SysfsTree: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sysfs-tree",
        abstract: "Write a simulated machine's sysfs tree (for famctl --sysfs-root or FAMCTL_SYSFS_ROOT).",
        discussion: "A machine with processes or device files also gets M/proc and M/dev beside the tree, which must then be named M/sys.")

    @Argument(help: ArgumentHelp("The directory to write the tree to (created; must not exist yet).", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("The machine to write.", valueName: "name"))
    var machine: ExampleMachine = .hmem

    @Option(help: ArgumentHelp("With --machine bench: the number of regions.", valueName: "n"))
    var regions: Int?

    @Option(help: ArgumentHelp("With --machine bench: the number of devices in each region.", valueName: "n"))
    var perRegion: Int?

    func validate() throws {
        guard machine.isParametrized || (regions == nil && perRegion == nil) else {
            throw ValidationError("--regions and --per-region are for --machine bench; \(machine.rawValue) has a fixed layout")
        }
        for (name, value) in [("--regions", regions), ("--per-region", perRegion)] {
            if let value, !(1...1024).contains(value) { throw ValidationError("\(name) \(value) is out of range (1 to 1024)") }
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: directory)
        guard !FileManager.default.fileExists(atPath: root.path) else {
            throw ValidationError("\(directory) already exists; give a new directory, so no tree is written over another")
        }
        do {
            try machine.kernel(regions: regions ?? 8, perRegion: perRegion ?? 64).materializeMachine(at: root, deviceFiles: machine.hasDeviceFiles)
        } catch let error as MachineError {
            throw ValidationError(error.description)
        }
    }
}
