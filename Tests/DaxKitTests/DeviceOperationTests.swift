// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import Testing
@testable import DaxKit
import Glibc

/// online-memory, offline-memory, enable, disable, create and destroy (docs/sysfs-layout.md and the
/// scenarios of ndctl's test/daxctl-devices.sh and daxctl-create.sh).
@Suite struct DeviceOperationTests {
    func controller(_ machine: Machine) -> DaxController { DaxController(sysfs: machine.kernel, procfs: machine.kernel) }

    /// test/daxctl-devices.sh: -N system-ram, online, offline, devdax, system-ram, refused
    /// devdax, forced devdax.
    @Test func daxctlDevicesScenario() throws {
        let machine = try Machine()
        _ = try machine.reconfigure(ReconfigureOptions(mode: .systemRAM, online: false))
        let onlined = try controller(machine).onlineMemory(machine.device, movable: true)
        #expect(onlined.changed && machine.blocks.allSatisfy { $0.online && $0.zone == "Movable" })
        let again = try controller(machine).onlineMemory(machine.device, movable: true)
        #expect(!again.changed && again.notes == ["dax0.0: all memory sections (32) already online"])
        let offlined = try controller(machine).offlineMemory(machine.device)
        #expect(offlined.changed && machine.blocks.allSatisfy { !$0.online })
        #expect(try controller(machine).offlineMemory(machine.device).notes == ["dax0.0: all memory sections (32) already offline"])
        _ = try machine.reconfigure(ReconfigureOptions(mode: .devdax))
        #expect(machine.driver == DaxDriver.deviceDax)
        _ = try machine.reconfigure(ReconfigureOptions(mode: .systemRAM))
        #expect(machine.failure(ReconfigureOptions(mode: .devdax))?.errno == EBUSY)
        _ = try machine.reconfigure(ReconfigureOptions(mode: .devdax, force: true))
        #expect(machine.driver == DaxDriver.deviceDax && machine.kernel.leakedOnlineMemory.isEmpty)
    }

    @Test func partlyOnlineMemoryIsCompleted() throws {
        let machine = try Machine(.systemRAMOffline)
        for block in machine.blocks.prefix(3) { machine.kernel.setBlock("memory\(block.index)", online: true, zone: "Movable") }
        let before = machine.writesSoFar
        let report = try controller(machine).onlineMemory(machine.device, movable: true)
        #expect(report.notes == ["dax0.0: 3 memory section(s) already online"])
        #expect(machine.writesSoFar - before == 29)
        #expect(report.device.memory?.online == 32)
    }

    @Test func aBlockOnlinedIntoTheWrongZoneIsReported() throws {
        let machine = try Machine(.systemRAMOffline)
        machine.kernel.onlineDefaultsToMovable = true
        let report = try controller(machine).onlineMemory(machine.device, movable: false)
        #expect(report.notes.count == 32 && report.notes[0].contains("came online in zone Movable, not Normal"))
    }

    @Test func memoryOperationsNeedSystemRAM() throws {
        for start in [Start.devdax, .famfs, .disabled] {
            let machine = try Machine(start)
            let label = start == .disabled ? "disabled" : start.rawValue
            #expect(throws: DaxError.notSystemRAM(device: "dax0.0", state: label)) { try controller(machine).onlineMemory(machine.device, movable: true) }
            #expect(throws: DaxError.notSystemRAM(device: "dax0.0", state: label)) { try controller(machine).offlineMemory(machine.device) }
        }
    }

    @Test func offlineMemoryRefusesUnremovableAndRestoresAfterEBUSY() throws {
        let machine = try Machine(.systemRAMOnline)
        machine.kernel.setBlock("memory33", removable: false)
        #expect(throws: DaxError.blockNotRemovable(device: "dax0.0", block: "memory33")) { try controller(machine).offlineMemory(machine.device) }
        machine.kernel.setBlock("memory33", removable: true)
        machine.kernel.setBlock("memory40", refusesOffline: true)
        #expect(throws: DaxError.self) { try controller(machine).offlineMemory(machine.device) }
        #expect(machine.blocks.allSatisfy { $0.online })
    }

    @Test func enableAndDisable() throws {
        let machine = try Machine()
        let disabled = try controller(machine).disable(machine.device)
        #expect(disabled.changed && machine.driver == nil && disabled.device.state == .unbound)
        #expect(try controller(machine).disable(machine.device).notes == ["dax0.0: already disabled"])
        let enabled = try controller(machine).enable(machine.device)
        #expect(enabled.changed && machine.driver == DaxDriver.deviceDax)
        let again = try controller(machine).enable(machine.device)
        #expect(!again.changed)
        let famfs = try Machine(.famfs)
        _ = try controller(famfs).disable(famfs.device)
        #expect(famfs.driver == nil)
    }

    @Test func enableAndDisableRefuseSystemRAM() throws {
        let machine = try Machine(.systemRAMOnline)
        #expect(throws: DaxError.statusNotApplicable(device: "dax0.0")) { try controller(machine).enable(machine.device) }
        #expect(throws: DaxError.statusNotApplicable(device: "dax0.0")) { try controller(machine).disable(machine.device) }
    }

    @Test func disableThatDoesNotTakeKeepsTheDriver() throws {
        let machine = try Machine()
        machine.kernel.inject(.ignore, at: "bus/dax/drivers/device_dax/unbind")
        #expect(throws: DaxError.self) { try controller(machine).disable(machine.device) }
        #expect(machine.driver == DaxDriver.deviceDax)
    }

    /// test/daxctl-create.sh: shrink, create with size and align, multi-range input, destroy.
    @Test func createAndDestroyOnADynamicRegion() throws {
        let machine = try Machine()
        let control = controller(machine)
        _ = try control.disable(machine.device)
        try machine.kernel.write("devices/platform/hmem.0/dax0.0/size", "0")
        var region = try #require(DaxDiscovery(sysfs: machine.kernel).regions().first)
        #expect(region.availableSize == 4 << 30)
        let created = try control.createDevice(in: region, size: 1 << 30, align: 2 << 20, mappings: [])
        #expect(created.device.name == "dax0.1" && created.device.size == 1 << 30 && created.device.state == .bound(.devdax))
        #expect(machine.kernel.driver(of: "dax0.1") == DaxDriver.deviceDax)
        region = try #require(DaxDiscovery(sysfs: machine.kernel).regions().first)
        let ranges = [DaxMapping(start: 0x1_8000_0000, end: 0x1_8fff_ffff, pageOffset: 0),
                      DaxMapping(start: 0x1_a000_0000, end: 0x1_afff_ffff, pageOffset: 0)]
        let split = try control.createDevice(in: region, size: nil, align: nil, mappings: ranges)
        #expect(split.device.size == 512 << 20)
        let mapped = try #require(DaxDiscovery(sysfs: machine.kernel, readMappings: true).regions().first?.devices.first { $0.name == split.device.name })
        #expect(mapped.mappings?.map(\.start) == ranges.map(\.start))
        #expect(throws: DaxError.deviceActive(device: "dax0.1")) { try control.destroyDevice(created.device, force: false) }
        _ = try control.destroyDevice(created.device, force: true)
        #expect(machine.kernel.devices["dax0.1"] == nil)
        let seed = try #require(DaxDiscovery(sysfs: machine.kernel).regions().first?.devices.first { $0.name == "dax0.0" })
        let kept = try control.destroyDevice(seed, force: false)
        #expect(kept.notes == ["dax0.0: the region's first device cannot be deleted; it stays with size 0"])
    }

    @Test func createRefusesStaticRegionsAndFullRegions() throws {
        let nvdimm = try #require(DaxDiscovery(sysfs: SimulatedKernel.nvdimm()).regions().first)
        #expect(throws: DaxError.staticRegion(region: 0)) { try DaxController(sysfs: SimulatedKernel.nvdimm(), procfs: HostProcfs(root: nil)).createDevice(in: nvdimm, size: nil, align: nil, mappings: []) }
        let kernel = SimulatedKernel.hmem()
        let full = try #require(DaxDiscovery(sysfs: kernel).regions().first)
        #expect(throws: DaxError.noSpace(region: 0)) { try DaxController(sysfs: kernel, procfs: kernel).createDevice(in: full, size: nil, align: nil, mappings: []) }
        #expect(kernel.writeLog.isEmpty)
    }

    @Test func aFailedCreateDeletesTheNewDevice() throws {
        let machine = try Machine()
        _ = try controller(machine).disable(machine.device)
        try machine.kernel.write("devices/platform/hmem.0/dax0.0/size", "0")
        let region = try #require(DaxDiscovery(sysfs: machine.kernel).regions().first)
        machine.kernel.inject(.fail(ENXIO), at: "bus/dax/drivers/device_dax/new_id")
        #expect(throws: DaxError.self) { try controller(machine).createDevice(in: region, size: 1 << 30, align: nil, mappings: []) }
        #expect(machine.kernel.devices["dax0.1"] == nil)
    }
}
