// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import FamctlTestSupport
import Foundation
import Testing
@testable import FamctlCommands

/// The busy-device guard through the commands: in-process on the simulated kernel, and the
/// built binary on a machine tree (`M/sys`, `M/proc`) whose processes hold the device.
@Suite struct DaxBusyDeviceTests {
    static let holders = [
        "famctl: dax0.0: busy: pid 1234 (holdmap) has /dev/dax0.0 mapped",
        "famctl: dax0.0: busy: pid 1240 (sleep) has /dev/dax0.0 open",
        "famctl: dax0.0: busy: mounted on /mnt/x",
        "famctl: dax0.0: nothing was changed; stop those processes or unmount, then retry "
            + "(the kernel lets a busy device be unbound and then corrupts itself)",
    ]

    static func heldKernel(_ start: String? = nil) throws -> SimulatedKernel {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        if start == "famfs" {
            try kernel.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
            try kernel.write("bus/dax/drivers/fsdev_dax/new_id", "dax0.0")
        }
        kernel.holdMapped("dax0.0", pid: 1234, command: "holdmap")
        kernel.holdOpen("dax0.0", pid: 1240, command: "sleep")
        kernel.mount("dax0.0", on: "/mnt/x")
        return kernel
    }

    @Test(arguments: [["-m", "famfs"], ["-f", "-m", "system-ram"], ["--dry-run", "-m", "famfs"]])
    func reconfigureRefusesAHeldDevice(options: [String]) throws {
        let kernel = try Self.heldKernel()
        let run = try CommandRun(ReconfigureDevice.self, options + ["dax0.0"], on: kernel)
        #expect(run.status == 240)
        let dryRun = options.contains("--dry-run")
        let planned = dryRun ? ["famctl: dry run: 0 write(s) planned, nothing changed"] : []
        #expect(run.stderr == Self.holders + planned
            + ["error reconfiguring devices: Device or resource busy", dryRun ? "would reconfigure 0 devices" : "reconfigured 0 devices"])
        #expect(run.stdout.isEmpty && kernel.writeLog.isEmpty)
    }

    @Test func famfsBackToDevdaxAndDisableAreRefusedToo() throws {
        let kernel = try Self.heldKernel("famfs")
        let before = kernel.writeLog.count
        var run = try CommandRun(ReconfigureDevice.self, ["-m", "devdax", "dax0.0"], on: kernel)
        #expect(run.status == 240 && run.stderr.prefix(4) == Self.holders[...])
        run = try CommandRun(DisableDevice.self, ["dax0.0"], on: kernel)
        #expect(run.status == 240 && run.stderr == Self.holders + ["error disabling device: Device or resource busy", "disabled 0 devices"])
        #expect(kernel.writeLog.count == before && kernel.driver(of: "dax0.0") == DaxDriver.fsdevDax)
        kernel.processes = [:]
        kernel.mountInfo = []
        run = try CommandRun(DisableDevice.self, ["dax0.0"], on: kernel)
        #expect(run.status == 0 && kernel.driver(of: "dax0.0") == nil)
    }

    // MARK: the binary on a machine tree

    @Test func theBinaryRefusesOnAMachineTreeAndChangesNothing() throws {
        let tree = try CapturedTree(try Self.heldKernel(), machine: true)
        defer { tree.remove() }
        let before = try tree.snapshot()
        for arguments in [["reconfigure-device", "-m", "famfs"], ["reconfigure-device", "--dry-run", "-m", "famfs"], ["disable-device"]] {
            let result = try FamctlBinary.run([arguments[0], "--sysfs-root", tree.root.path] + arguments.dropFirst() + ["dax0.0"])
            #expect(result.status == 240, "\(arguments)")
            #expect(result.stdout.isEmpty, "no JSON, no planned writes")
            #expect(result.stderr.hasPrefix(Self.holders.joined(separator: "\n") + "\n"), "\(result.stderr)")
        }
        #expect(try tree.snapshot() == before)
    }

    /// FAMCTL_PROC_ROOT names the proc tree of a root not called `sys`; without it such a
    /// root has no processes.
    @Test func famctlProcRootNamesTheProcTree() throws {
        let tree = try CapturedTree(.hmem(size: 1 << 30))
        defer { tree.remove() }
        let proc = tree.root.deletingLastPathComponent().appendingPathComponent("famctl-proc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: proc) }
        try Self.heldKernel().materializeProc(at: proc)
        let arguments = ["reconfigure-device", "--sysfs-root", tree.root.path, "--dry-run", "-m", "famfs", "dax0.0"]
        let held = try FamctlBinary.run(arguments, environment: ["FAMCTL_PROC_ROOT": proc.path])
        #expect(held.status == 240 && held.stderr.hasPrefix(Self.holders[0]))
        let free = try FamctlBinary.run(arguments)
        #expect(free.status == 0 && free.stdout.split(separator: "\n").count == 4)
    }

    /// The same machine without holders: the dry run plans the switch.
    @Test func anIdleMachineTreeSwitches() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        kernel.processes[99] = .init(command: "other", descriptors: [.init(target: "/dev/null", device: DeviceNumber(major: 1, minor: 3))], maps: [])
        let tree = try CapturedTree(kernel, machine: true)
        defer { tree.remove() }
        let result = try tree.famctl("reconfigure-device", "--dry-run", "-m", "famfs", "dax0.0")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 4)
    }
}
