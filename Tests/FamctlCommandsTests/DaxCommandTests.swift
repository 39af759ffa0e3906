// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import Foundation
import Testing
@testable import FamctlCommands

/// The device commands, parsed from their arguments and run in-process against the simulated
/// kernel (which reacts to writes as the kernel does): argument handling, several devices per
/// call, the JSON and summary lines, and the exit status, over real switches.
/// Lines a command printed, collected by its output closures.
final class Lines {
    var out: [String] = []
    var err: [String] = []
}

struct CommandRun {
    var status: Int32 = 0
    var stdout: [String] = []
    var stderr: [String] = []

    var json: [[String: Any]] {
        guard let text = stdout.last, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return [] }
        return object as? [[String: Any]] ?? [object as? [String: Any] ?? [:]]
    }
    var modes: [String?] { json.map { $0["mode"] as? String } }

    /// `famctl ARGUMENTS…` for a dax device command, on `kernel`.
    init<Command: DaxDeviceCommand>(_ type: Command.Type, _ arguments: [String], on kernel: SimulatedKernel) throws {
        let command = try Command.parse(arguments).values
        let invocation = command.invocation
        let lines = Lines()
        var runner = command.runner()
        runner.console = ConsoleLines(out: { lines.out.append($0) }, error: { lines.err.append($0) })
        let controller = DaxController(sysfs: kernel, procfs: kernel, dryRun: invocation.common.run.dryRun)
        do {
            try runner.run(devices: invocation.common.devices, region: invocation.common.region, controller: controller, root: "/sys",
                           command.operation())
        } catch let failure as CommandError {
            status = ExitCodes.code(for: failure, command: Command.self)
        }
        stdout = lines.out
        stderr = lines.err
    }
}

@Suite struct DaxCommandTests {
    /// ndctl's test/daxctl-devices.sh, through the commands.
    @Test func daxctlDevicesScenario() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        var run = try CommandRun(ReconfigureDevice.self, ["-N", "-m", "system-ram", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["system-ram"])
        #expect(run.json.first?["online_memblocks"] as? Int == 0 && run.json.first?["total_memblocks"] as? Int == 8)
        #expect(run.stderr == ["reconfigured 1 device"])
        run = try CommandRun(OnlineMemory.self, ["dax0.0"], on: kernel)
        #expect(run.status == 0 && run.stdout.isEmpty && run.stderr == ["onlined memory for 1 device"])
        run = try CommandRun(OnlineMemory.self, ["dax0.0"], on: kernel)
        #expect(run.status == 0 && run.stderr == ["dax0.0: all memory sections (8) already online", "onlined memory for 1 device"])
        run = try CommandRun(OfflineMemory.self, ["dax0.0"], on: kernel)
        #expect(run.status == 0 && kernel.blocks(of: "dax0.0").allSatisfy { !$0.online })
        run = try CommandRun(ReconfigureDevice.self, ["-m", "devdax", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["devdax"])
        run = try CommandRun(ReconfigureDevice.self, ["-m", "system-ram", "dax0.0"], on: kernel)
        #expect(run.json.first?["movable"] as? Bool == true && run.json.first?["online_memblocks"] as? Int == 8)
        run = try CommandRun(ReconfigureDevice.self, ["-m", "devdax", "dax0.0"], on: kernel)
        #expect(run.status == 240 && run.stdout.isEmpty && kernel.driver(of: "dax0.0") == DaxDriver.kmem)
        #expect(run.stderr.suffix(2) == ["error reconfiguring devices: Device or resource busy", "reconfigured 0 devices"])
        run = try CommandRun(ReconfigureDevice.self, ["-f", "-m", "devdax", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["devdax"] && kernel.leakedOnlineMemory.isEmpty)
    }

    /// The famfs series' test/daxctl-famfs.sh, through the commands.
    @Test func daxctlFamfsScenario() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        var run = try CommandRun(ReconfigureDevice.self, ["-m", "famfs", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["famfs"] && kernel.driver(of: "dax0.0") == DaxDriver.fsdevDax)
        run = try CommandRun(ReconfigureDevice.self, ["-m", "famfs", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.stderr == ["dax0.0: already in famfs mode", "reconfigured 1 device"])
        run = try CommandRun(ReconfigureDevice.self, ["-m", "devdax", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["devdax"])
        run = try CommandRun(ReconfigureDevice.self, ["-m", "devdax", "dax0.0"], on: kernel)
        #expect(run.status == 0)
        #expect(throws: (any Error).self) { try ReconfigureDevice.parse(["-m", "invalidmode", "dax0.0"]) }
        #expect(throws: (any Error).self) { try ReconfigureDevice.parse(["-N", "-m", "famfs", "dax0.0"]) }
        _ = try CommandRun(ReconfigureDevice.self, ["-m", "system-ram", "dax0.0"], on: kernel)
        run = try CommandRun(ReconfigureDevice.self, ["-m", "famfs", "dax0.0"], on: kernel)
        #expect(run.status == 240 && kernel.driver(of: "dax0.0") == DaxDriver.kmem)
        run = try CommandRun(ReconfigureDevice.self, ["-f", "-m", "famfs", "-u", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["famfs"])
        #expect(run.stdout.first?.hasPrefix("{\n  \"chardev\":\"dax0.0\",\n  \"size\":\"1024.00 MiB (1073.74 MB)\"") == true)
    }

    /// Several devices in one call: each is processed, the summary counts the successes, the
    /// exit status is the last failure's.
    @Test func severalDevicesPerCall() throws {
        let kernel = SimulatedKernel.cxl(count: 4, size: 1 << 30)
        for block in kernel.blocks(of: "dax0.2") { kernel.setBlock("memory\(block.index)", online: true, zone: "Movable") }
        var run = try CommandRun(ReconfigureDevice.self, ["-m", "famfs", "dax0.0", "0.1", "dax0.2", "/dev/dax0.3", "dax0.9"], on: kernel)
        #expect(run.status == 250, "the last failure: dax0.9 matches nothing")
        #expect(run.modes == ["famfs", "famfs", "famfs"])
        #expect(run.stderr.first?.hasPrefix("famctl: dax0.2: 8 of 8 memory blocks are online") == true)
        #expect(run.stderr[1] == "famctl: no dax device matches 'dax0.9'")
        #expect(run.stderr.last == "reconfigured 3 devices")
        #expect(kernel.driver(of: "dax0.2") == DaxDriver.kmem)
        run = try CommandRun(ReconfigureDevice.self, ["-m", "devdax", "-r", "region0", "all"], on: kernel)
        #expect(run.status == 240 && run.modes == ["devdax", "devdax", "devdax"])
        run = try CommandRun(DisableDevice.self, ["all"], on: kernel)
        #expect(run.status == 250 && run.stderr.last == "disabled 3 devices")
        run = try CommandRun(EnableDevice.self, ["dax0.0", "dax0.1"], on: kernel)
        #expect(run.status == 0 && run.stderr == ["enabled 2 devices"])
    }

    @Test func dryRunThroughTheCommand() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        let run = try CommandRun(ReconfigureDevice.self, ["--dry-run", "-m", "famfs", "dax0.0"], on: kernel)
        #expect(run.status == 0)
        #expect(run.stdout == [
            "echo dax0.0 > /sys/bus/dax/drivers/device_dax/remove_id",
            "echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind",
            "echo dax0.0 > /sys/bus/dax/drivers/fsdev_dax/new_id",
            "echo dax0.0 > /sys/bus/dax/drivers/fsdev_dax/bind",
        ])
        #expect(run.stderr.last == "would reconfigure 1 device")
        #expect(kernel.writeLog.isEmpty)
    }

    /// A dry run never says that something happened.
    @Test func dryRunSummariesSayWhatWouldHappen() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        _ = try CommandRun(ReconfigureDevice.self, ["-N", "-m", "system-ram", "dax0.0"], on: kernel)
        let before = kernel.writeLog.count
        #expect(try CommandRun(OnlineMemory.self, ["--dry-run", "dax0.0"], on: kernel).stderr.last == "would online memory for 1 device")
        #expect(try CommandRun(OfflineMemory.self, ["--dry-run", "dax0.0"], on: kernel).stderr.last == "would offline memory for 1 device")
        _ = try CommandRun(ReconfigureDevice.self, ["-m", "devdax", "dax0.0"], on: kernel)
        let disabled = try CommandRun(DisableDevice.self, ["--dry-run", "dax0.0"], on: kernel)
        #expect(disabled.stderr.last == "would disable 1 device")
        #expect(kernel.writeLog.count == before + 4)
    }

    @Test func destroyThroughTheCommand() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        var run = try CommandRun(DestroyDevice.self, ["dax0.0"], on: kernel)
        #expect(run.status == 250 && run.stderr.first == "famctl: dax0.0 is active, specify --force for deletion")
        run = try CommandRun(DestroyDevice.self, ["-f", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.stderr.last == "destroyed 1 device")
        #expect(kernel.devices["dax0.0"]?.size == 0 && kernel.driver(of: "dax0.0") == nil)
    }

    /// test/daxctl-create.sh: disable, shrink with -s 0, align, then create in the freed space.
    @Test func resizeThroughReconfigure() throws {
        let kernel = SimulatedKernel.hmem(size: 2 << 30)
        var run = try CommandRun(ReconfigureDevice.self, ["-s", "0", "dax0.0"], on: kernel)
        #expect(run.status == 240 && run.stderr.first?.contains("disable it first") == true)
        #expect(kernel.devices["dax0.0"]?.size == 2 << 30)
        _ = try CommandRun(DisableDevice.self, ["dax0.0"], on: kernel)
        run = try CommandRun(ReconfigureDevice.self, ["-s", "1g", "-a", "1g", "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.stdout.isEmpty && run.stderr == ["reconfigured 1 device"])
        #expect(kernel.devices["dax0.0"]?.size == 1 << 30 && kernel.devices["dax0.0"]?.align == 1 << 30)
        let nvdimm = SimulatedKernel.nvdimm()
        _ = try CommandRun(DisableDevice.self, ["dax0.0"], on: nvdimm)
        run = try CommandRun(ReconfigureDevice.self, ["-s", "0", "dax0.0"], on: nvdimm)
        #expect(run.status == 161)
        #expect(throws: (any Error).self) { try ReconfigureDevice.parse(["dax0.0"]) }
        #expect(throws: (any Error).self) { try ReconfigureDevice.parse(["-s", "12q", "dax0.0"]) }
    }

    /// `--movable` and `--no-movable` (each with its own help): the last one given wins, as
    /// with daxctl, for a switch to system-ram and for online-memory; neither means movable.
    @Test(arguments: [(["--no-movable", "--movable"], "Movable"), (["--movable", "--no-movable"], "Normal"), ([], "Movable")])
    func theLastZoneFlagWins(flags: [String], zone: String) throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        var run = try CommandRun(ReconfigureDevice.self, flags + ["-m", "system-ram", "dax0.0"], on: kernel)
        #expect(run.status == 0 && kernel.blocks(of: "dax0.0").allSatisfy { $0.online && $0.zone == zone })
        run = try CommandRun(OfflineMemory.self, ["dax0.0"], on: kernel)
        run = try CommandRun(OnlineMemory.self, flags + ["dax0.0"], on: kernel)
        #expect(run.status == 0 && kernel.blocks(of: "dax0.0").allSatisfy { $0.online && $0.zone == zone })
    }
}
