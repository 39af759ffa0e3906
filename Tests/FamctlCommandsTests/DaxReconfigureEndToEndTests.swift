// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import Foundation
import Testing

/// The device commands run as a process against captured trees. A tree on disk does not react
/// to writes (no kernel behind it), so these tests cover what needs no reaction: refusals,
/// dry runs, argument handling, exit codes, and the "write succeeded but the kernel did not
/// act" path. Switches on a reacting kernel run the same commands in-process on the simulated
/// kernel (DaxCommandTests) and DaxController directly (DaxKitTests); the QEMU suite covers the
/// real kernel.
@Suite struct DaxReconfigureEndToEndTests {
    @Test func autoOnlinePolicyRefusalExits240AndChangesNothing() throws {
        let kernel = SimulatedKernel.hmem()
        kernel.autoOnlineBlocks = "online"
        let tree = try CapturedTree(kernel)
        defer { tree.remove() }
        let before = try tree.snapshot()
        let result = try tree.famctl("reconfigure-device", "-m", "system-ram", "dax0.0")
        #expect(result.status == 240)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            famctl: dax0.0: error: kernel policy will auto-online memory, aborting (auto_online_blocks is 'online'; \
            write 'offline' to \(tree.root.path)/devices/system/memory/auto_online_blocks or use --force)
            error reconfiguring devices: Device or resource busy
            reconfigured 0 devices

            """)
        #expect(try tree.snapshot() == before)
    }

    @Test func onlineMemoryRefusalExits240() throws {
        let kernel = SimulatedKernel.cxl(count: 2, size: 1 << 30, autoOnline: "online_movable")
        let tree = try CapturedTree(kernel)
        defer { tree.remove() }
        let before = try tree.snapshot()
        let result = try tree.famctl("reconfigure-device", "-m", "devdax", "all")
        #expect(result.status == 240)
        #expect(result.stderr.contains("famctl: dax0.0: 8 of 8 memory blocks are online; refusing to change to devdax mode"))
        #expect(result.stderr.contains("famctl: dax0.1: 8 of 8 memory blocks are online"))
        #expect(try tree.snapshot() == before)
    }

    @Test func dryRunPrintsTheWritesInOrderAndChangesNothing() throws {
        let tree = try CapturedTree(.hmem(size: 1 << 30))
        defer { tree.remove() }
        let before = try tree.snapshot()
        let result = try tree.famctl("reconfigure-device", "--dry-run", "-m", "system-ram", "/dev/dax0.0")
        #expect(result.status == 0)
        #expect(result.stdout == tree.systemRAMWrites(blocks: 32..<40, state: "online_movable"))
        #expect(result.stderr.contains("dry run: 12 write(s) planned, nothing changed"))
        #expect(try tree.snapshot() == before)
    }

    @Test func famfsDryRunAndAlreadyInModeAreIdempotent() throws {
        let tree = try CapturedTree(.hmem())
        defer { tree.remove() }
        let famfs = try tree.famctl("reconfigure-device", "--dry-run", "-m", "famfs", "0.0")
        #expect(famfs.stdout.components(separatedBy: "\n").filter { !$0.isEmpty }.map { $0.components(separatedBy: "/").suffix(2).joined(separator: "/") }
            == ["device_dax/remove_id", "device_dax/unbind", "fsdev_dax/new_id", "fsdev_dax/bind"])
        let same = try tree.famctl("reconfigure-device", "-m", "devdax", "dax0.0", "dax0.0")
        #expect(same.status == 0)
        #expect(same.stderr == "dax0.0: already in devdax mode\nreconfigured 1 device\n")
        #expect(same.stdout.contains("\"mode\":\"devdax\""))
    }

    /// Writes land in plain files and nothing unbinds: famctl notices from the driver link,
    /// gives the id back and says the device is still devdax.
    @Test func aKernelThatDoesNotReactIsDetected() throws {
        let tree = try CapturedTree(.hmem())
        defer { tree.remove() }
        let result = try tree.famctl("reconfigure-device", "-m", "famfs", "dax0.0")
        #expect(result.status == 240)
        #expect(result.stderr.contains("famctl: dax0.0: failed to disable: expected unbound, found bound to device_dax (Device or resource busy); rolled back: dax0.0 is in devdax mode as before"))
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: tree.root.appendingPathComponent("devices/platform/hmem.0/dax0.0/driver").path)
        #expect(link.hasSuffix("drivers/device_dax"))
    }

    @Test func missingFsdevDaxIsAClearError() throws {
        let tree = try CapturedTree(.nvdimm())
        defer { tree.remove() }
        let result = try tree.famctl("reconfigure-device", "-m", "famfs", "dax0.0")
        #expect(result.status == 237)
        #expect(result.stderr.contains("famctl: dax0.0: this kernel has no famfs mode (driver fsdev_dax not found); dax0.0 was not changed"))
    }

    @Test func unknownDevicesAndModesAndBadCombinations() throws {
        let tree = try CapturedTree(.hmem())
        defer { tree.remove() }
        let missing = try tree.famctl("reconfigure-device", "-m", "devdax", "dax3.0")
        #expect(missing.status == 250)
        #expect(missing.stderr.contains("famctl: no dax device matches 'dax3.0'"))
        let wrongRegion = try tree.famctl("reconfigure-device", "-m", "devdax", "-r", "1", "dax0.0")
        #expect(wrongRegion.status == 250)
        let mode = try tree.famctl("reconfigure-device", "-m", "pmem", "dax0.0")
        #expect(mode.status == 64 && mode.stderr.contains("unknown mode 'pmem': expected one of devdax, system-ram, famfs"))
        let noOnline = try tree.famctl("reconfigure-device", "-N", "-m", "famfs", "dax0.0")
        #expect(noOnline.status == 64 && noOnline.stderr.contains("--no-online is incompatible with --mode=famfs"))
        let noDevice = try tree.famctl("reconfigure-device", "-m", "devdax")
        #expect(noDevice.status == 64 && noDevice.stderr.contains("specify a device to reconfigure, or \"all\""))
    }

    @Test func memoryAndStatusCommandsRefuseTheWrongMode() throws {
        let tree = try CapturedTree(.cxl(count: 1, size: 1 << 30))
        defer { tree.remove() }
        let enable = try tree.famctl("enable-device", "dax0.0")
        #expect(enable.status == 250)
        #expect(enable.stderr.hasSuffix("error enabling device: No such device or address\nenabled 0 devices\n"))
        let hmem = try CapturedTree(.hmem())
        defer { hmem.remove() }
        let online = try hmem.famctl("online-memory", "dax0.0")
        #expect(online.status == 250 && online.stderr.contains("memory operations are not applicable in devdax mode"))
        let destroy = try hmem.famctl("destroy-device", "dax0.0")
        #expect(destroy.status == 250 && destroy.stderr.contains("dax0.0 is active, specify --force for deletion"))
        let offline = try tree.famctl("offline-memory", "--dry-run", "dax0.0")
        #expect(offline.status == 0 && offline.stdout.isEmpty && offline.stderr.contains("all memory sections (8) already offline"))
    }

    @Test func createDeviceDryRun() throws {
        let kernel = SimulatedKernel.hmem()
        try kernel.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
        try kernel.write("devices/platform/hmem.0/dax0.0/size", "0")
        let tree = try CapturedTree(kernel)
        defer { tree.remove() }
        let result = try tree.famctl("create-device", "--dry-run", "-s", "1g", "-a", "2m")
        #expect(result.status == 0)
        let root = tree.root.path
        #expect(result.stdout == """
            echo 1 > \(root)/devices/platform/hmem.0/dax_region/create
            echo 2097152 > \(root)/devices/platform/hmem.0/dax0.1/align
            echo 0x40000000 > \(root)/devices/platform/hmem.0/dax0.1/size
            echo dax0.1 > \(root)/bus/dax/drivers/device_dax/new_id
            echo dax0.1 > \(root)/bus/dax/drivers/device_dax/bind

            """)
        // The same runner as every dax command: the count of planned writes, and -v lines
        // that name what each write was for.
        #expect(result.stderr == "famctl: dry run: 5 write(s) planned, nothing changed\nwould create 1 device\n", "\(result.stderr)")
        let verbose = try tree.famctl("create-device", "-v", "-s", "1g")
        // (A captured tree is plain files: no device appears, and the run fails after that write.)
        #expect(verbose.stderr.contains("famctl: region0: wrote echo 1 > \(root)/devices/platform/hmem.0/dax_region/create\n"), "\(verbose.stderr)")
        let static_ = try CapturedTree(.nvdimm())
        defer { static_.remove() }
        #expect(try static_.famctl("create-device").status == 161)
    }
}
