// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import Testing
@testable import DaxKit
import Glibc

/// Where a device starts in the mode-pair tests.
enum Start: String, CaseIterable, CustomStringConvertible, Sendable {
    case devdax, systemRAMOnline, systemRAMOffline, famfs, disabled
    var description: String { rawValue }
}

/// A 4 GiB hmem device (32 blocks of 128 MiB) brought into `start` through the kernel's own
/// interface, and helpers to look at it.
struct Machine {
    let kernel: SimulatedKernel

    init(_ start: Start = .devdax, kernel: SimulatedKernel = .hmem()) throws {
        self.kernel = kernel
        let name = "dax0.0"
        switch start {
        case .devdax: break
        case .systemRAMOnline, .systemRAMOffline:
            try kernel.write("bus/dax/drivers/device_dax/unbind", name)
            try kernel.write("bus/dax/drivers/kmem/new_id", name)
            if start == .systemRAMOnline {
                for block in kernel.blocks(of: name) { try kernel.write("devices/system/memory/memory\(block.index)/state", "online_movable") }
            }
        case .famfs:
            try kernel.write("bus/dax/drivers/device_dax/unbind", name)
            try kernel.write("bus/dax/drivers/fsdev_dax/new_id", name)
        case .disabled:
            try kernel.write("bus/dax/drivers/device_dax/unbind", name)
        }
    }

    var device: DaxDevice { DaxDiscovery(sysfs: kernel).regions().flatMap(\.devices).first { $0.name == "dax0.0" }! }
    var driver: String? { kernel.driver(of: "dax0.0") }
    var blocks: [SimulatedKernel.Block] { kernel.blocks(of: "dax0.0") }
    var writesSoFar: Int { kernel.writeLog.count }

    func reconfigure(_ options: ReconfigureOptions, dryRun: Bool = false) throws(DaxError) -> DeviceReport {
        try DaxController(sysfs: kernel, procfs: kernel, dryRun: dryRun).reconfigure(device, options)
    }

    /// The error of a reconfigure that must fail.
    func failure(_ options: ReconfigureOptions) -> DaxError? {
        do throws(DaxError) {
            _ = try reconfigure(options)
            return nil
        } catch {
            return error
        }
    }
}

@Suite struct ReconfigureTests {
    static let pairs: [(Start, DaxMode)] = Start.allCases.flatMap { start in DaxMode.allCases.map { (start, $0) } }

    /// Every start state to every mode (with --force where daxctl needs it) ends bound to the
    /// mode's driver, memory onlined movable in system-ram, no memory left behind.
    @Test(arguments: pairs)
    func everyModePairSwitches(start: Start, target: DaxMode) throws {
        let machine = try Machine(start)
        let report = try machine.reconfigure(ReconfigureOptions(mode: target, force: true))
        #expect(machine.driver == target.driver)
        #expect(report.device.state == .bound(target))
        #expect(machine.kernel.leakedOnlineMemory.isEmpty)
        if target == .systemRAM {
            #expect(machine.blocks.count == 32)
            #expect(machine.blocks.allSatisfy { $0.online && $0.zone == "Movable" })
            #expect(report.device.memory?.online == 32 && report.device.memory?.movable == true)
        } else {
            #expect(machine.blocks.isEmpty, "kmem's memory must be removed when leaving system-ram")
        }
        let already = start == .devdax && target == .devdax || start == .famfs && target == .famfs
            || start == .systemRAMOnline && target == .systemRAM
        #expect(report.changed == !already)
    }

    @Test(arguments: [DaxMode.devdax, .famfs])
    func alreadyInTheModeWritesNothing(mode: DaxMode) throws {
        let machine = try Machine(mode == .devdax ? .devdax : .famfs)
        let before = machine.writesSoFar
        let report = try machine.reconfigure(ReconfigureOptions(mode: mode))
        #expect(report.notes == ["dax0.0: already in \(mode.rawValue) mode"])
        #expect(machine.writesSoFar == before)
    }

    @Test func systemRAMWithNoOnlineLeavesBlocksOffline() throws {
        let machine = try Machine()
        let report = try machine.reconfigure(ReconfigureOptions(mode: .systemRAM, online: false))
        #expect(machine.driver == DaxDriver.kmem)
        #expect(machine.blocks.count == 32 && machine.blocks.allSatisfy { !$0.online })
        #expect(report.device.memory?.online == 0 && report.device.memory?.total == 32)
    }

    @Test func noMovableOnlinesWithPlainOnline() throws {
        let machine = try Machine()
        _ = try machine.reconfigure(ReconfigureOptions(mode: .systemRAM, movable: false))
        #expect(machine.kernel.writeLog.filter { $0.write.value == "online" }.count == 32)
        #expect(machine.blocks.allSatisfy { $0.online && $0.zone == "Normal" })
    }

    // MARK: refusals change nothing

    @Test(arguments: ["online", "online_movable", "online_kernel"])
    func autoOnlinePolicyRefusesSystemRAM(policy: String) throws {
        let machine = try Machine()
        machine.kernel.autoOnlineBlocks = policy
        for online in [true, false] {
            let error = machine.failure(ReconfigureOptions(mode: .systemRAM, online: online))
            #expect(error == .autoOnlinePolicy(device: "dax0.0", policy: policy, path: "/sys/devices/system/memory/auto_online_blocks"))
            #expect(error?.errno == EBUSY)
        }
        #expect(machine.writesSoFar == 0 && machine.driver == DaxDriver.deviceDax)
        #expect("\(machine.failure(ReconfigureOptions(mode: .systemRAM))!)".contains("use --force"))
    }

    @Test func forceOverridesThePolicyAndReportsTheRace() throws {
        let machine = try Machine()
        machine.kernel.autoOnlineBlocks = "online"
        let report = try machine.reconfigure(ReconfigureOptions(mode: .systemRAM, force: true))
        #expect(machine.driver == DaxDriver.kmem)
        #expect(report.notes.contains { $0.contains("WARNING: detected a race while onlining memory") })
        #expect(report.notes.contains("dax0.0: all memory sections (32) already online"))
    }

    @Test func noMovableWithOnliningSkipsThePolicyCheckAsDaxctlDoes() throws {
        let machine = try Machine()
        machine.kernel.autoOnlineBlocks = "online"
        _ = try machine.reconfigure(ReconfigureOptions(mode: .systemRAM, movable: false))
        #expect(machine.driver == DaxDriver.kmem)
    }

    @Test(arguments: [DaxMode.devdax, .famfs])
    func onlineMemoryRefusesLeavingSystemRAMWithoutForce(target: DaxMode) throws {
        let machine = try Machine(.systemRAMOnline)
        let before = machine.writesSoFar
        let error = machine.failure(ReconfigureOptions(mode: target))
        #expect(error == .memoryOnline(device: "dax0.0", online: 32, total: 32, target: target))
        #expect(error?.errno == EBUSY)
        #expect(machine.writesSoFar == before && machine.driver == DaxDriver.kmem)
    }

    @Test func unremovableBlockIsNamedBeforeAnythingChanges() throws {
        let machine = try Machine(.systemRAMOnline)
        let victim = "memory\(machine.blocks[5].index)"
        machine.kernel.setBlock(victim, removable: false)
        let before = machine.writesSoFar
        let error = machine.failure(ReconfigureOptions(mode: .devdax, force: true))
        #expect(error == .blockNotRemovable(device: "dax0.0", block: victim))
        #expect(error?.errno == EOPNOTSUPP)
        #expect(machine.writesSoFar == before && machine.blocks.allSatisfy(\.online))
    }

    @Test func missingFsdevDaxIsReportedAndTheDeviceStaysBound() throws {
        let machine = try Machine(kernel: .nvdimm())
        let error = machine.failure(ReconfigureOptions(mode: .famfs))
        #expect(error == .driverMissing(device: "dax0.0", driver: DaxDriver.fsdevDax))
        #expect("\(error!)".contains("this kernel has no famfs mode (driver fsdev_dax not found)"))
        #expect(error?.errno == ENODEV)
        #expect(machine.kernel.loadedModules == [DaxDriver.fsdevDax], "the module is loaded before giving up")
        #expect(machine.writesSoFar == 0 && machine.driver == DaxDriver.deviceDax)
    }

    @Test func aLoadableFsdevDaxModuleIsLoaded() throws {
        let kernel = SimulatedKernel.hmem()
        kernel.drivers.remove(DaxDriver.fsdevDax)
        kernel.loadableModules = [DaxDriver.fsdevDax]
        let machine = try Machine(kernel: kernel)
        _ = try machine.reconfigure(ReconfigureOptions(mode: .famfs))
        #expect(machine.driver == DaxDriver.fsdevDax)
    }

    @Test func aDeviceWithoutAWholeMemoryBlockIsRefused() throws {
        let machine = try Machine(kernel: .hmem(size: 64 << 20, base: 0x1_0400_0000))
        let error = machine.failure(ReconfigureOptions(mode: .systemRAM))
        #expect(error == .noWholeMemoryBlock(device: "dax0.0", size: 64 << 20, blockSize: 128 << 20))
        #expect(machine.writesSoFar == 0)
    }

    @Test func daxClassAndForeignDriversAreNeverTouched() throws {
        let kernel = SimulatedKernel.hmem()
        var device = try Machine(kernel: kernel).device
        device.isDaxClass = true
        let controller = DaxController(sysfs: kernel, procfs: kernel)
        #expect(throws: DaxError.daxClass(device: "dax0.0")) { try controller.reconfigure(device, ReconfigureOptions(mode: .systemRAM)) }
        device.isDaxClass = false
        device.state = .unknownDriver("vfio_dax")
        #expect(throws: DaxError.foreignDriver(device: "dax0.0", driver: "vfio_dax")) { try controller.reconfigure(device, ReconfigureOptions(mode: .famfs)) }
        #expect(kernel.writeLog.isEmpty)
    }

    // MARK: dry run and operation counts

    @Test func dryRunPlansTheExactWritesAndChangesNothing() throws {
        let machine = try Machine()
        let controller = DaxController(sysfs: machine.kernel, procfs: machine.kernel, dryRun: true)
        _ = try controller.reconfigure(machine.device, ReconfigureOptions(mode: .systemRAM))
        let planned = controller.writer.writes.map(\.description)
        #expect(Array(planned.prefix(4)) == [
            "echo dax0.0 > /sys/bus/dax/drivers/device_dax/remove_id",
            "echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind",
            "echo dax0.0 > /sys/bus/dax/drivers/kmem/new_id",
            "echo dax0.0 > /sys/bus/dax/drivers/kmem/bind",
        ])
        #expect(Array(planned.dropFirst(4)) == (32..<64).map { "echo online_movable > /sys/devices/system/memory/memory\($0)/state" })
        #expect(machine.writesSoFar == 0 && machine.driver == DaxDriver.deviceDax)
        // The plan is what a real run then writes.
        _ = try machine.reconfigure(ReconfigureOptions(mode: .systemRAM))
        #expect(machine.kernel.writeLog.map(\.write) == controller.writer.writes)
    }

    /// Leaving system-ram offlines from the highest block down (bottom-up would migrate the
    /// pages of the low blocks again at every step), then unbinds kmem and binds device_dax.
    @Test func forcedReturnOfflinesFromTheHighestBlockDown() throws {
        let machine = try Machine(.systemRAMOnline)
        let controller = DaxController(sysfs: machine.kernel, procfs: machine.kernel, dryRun: true)
        _ = try controller.reconfigure(machine.device, ReconfigureOptions(mode: .devdax, force: true))
        let planned = controller.writer.writes.map(\.description)
        #expect(Array(planned.prefix(32)) == (32..<64).reversed().map { "echo offline > /sys/devices/system/memory/memory\($0)/state" })
        #expect(Array(planned.dropFirst(32)) == [
            "echo dax0.0 > /sys/bus/dax/drivers/kmem/remove_id",
            "echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind",
            "echo dax0.0 > /sys/bus/dax/drivers/device_dax/new_id",
            "echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind",
        ])
        let before = machine.kernel.writeLog.count
        _ = try machine.reconfigure(ReconfigureOptions(mode: .devdax, force: true))
        #expect(Array(machine.kernel.writeLog.dropFirst(before).map(\.write)) == controller.writer.writes)
    }

    /// 3 operations per memory block (state, the online write, valid_zones) plus a fixed 12
    /// (the busy-device guard's read of `dev` among them): no attribute is read twice.
    @Test(arguments: [UInt64(1), 4, 16])
    func reconfigureCostsAFixedNumberOfOperationsPerBlock(gib: UInt64) throws {
        let kernel = SimulatedKernel.hmem(size: gib << 30)
        let device = try Machine(kernel: kernel).device
        let counting = CountingSysfs(kernel)
        _ = try DaxController(sysfs: counting, procfs: kernel).reconfigure(device, ReconfigureOptions(mode: .systemRAM))
        let blocks = Int(gib * 8)
        #expect(counting.total == 3 * blocks + 12)
        #expect(counting.writes == blocks + 4)
        let reads = counting.log.filter { $0.hasPrefix("read ") }
        #expect(Set(reads).count == reads.count, "an attribute was read twice")
    }

    /// Leaving system-ram with --force: per block the state, zone and removable reads and the
    /// offline write; plus block_size_bytes, the node listing, 4 driver writes, 2 link reads,
    /// the driver directory check and the busy-device guard's read of `dev`.
    @Test func forcedReturnToDevdaxCostsFourOperationsPerBlock() throws {
        let machine = try Machine(.systemRAMOnline)
        let counting = CountingSysfs(machine.kernel)
        _ = try DaxController(sysfs: counting, procfs: machine.kernel).reconfigure(machine.device, ReconfigureOptions(mode: .devdax, force: true))
        #expect(counting.total == 4 * 32 + 10)
        let reads = counting.log.filter { $0.hasPrefix("read ") }
        #expect(Set(reads).count == reads.count, "an attribute was read twice")
    }
}
