// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import Testing
@testable import DaxKit
import Glibc

/// Every write of a switch fails (or silently does not take) in turn: the device must end in
/// its original mode, or the error must say exactly where it is.
@Suite struct FaultInjectionTests {
    struct Case: CustomStringConvertible, Sendable {
        var start: Start
        var target: DaxMode
        var path: String
        var effect: SimulatedKernel.Fault.Effect
        /// The errno the error carries.
        var errno: Int32
        var description: String { "\(start)→\(target.rawValue) \(path) \(effect)" }
    }

    static let ebusy = SimulatedKernel.Fault.Effect.fail(EBUSY)
    static let einval = SimulatedKernel.Fault.Effect.fail(EINVAL)
    static let enxio = SimulatedKernel.Fault.Effect.fail(ENXIO)
    static let block = "devices/system/memory/memory40/state"

    static let cases: [Case] = [
        Case(start: .devdax, target: .systemRAM, path: "bus/dax/drivers/device_dax/remove_id", effect: ebusy, errno: EBUSY),
        Case(start: .devdax, target: .systemRAM, path: "bus/dax/drivers/device_dax/unbind", effect: ebusy, errno: EBUSY),
        Case(start: .devdax, target: .systemRAM, path: "bus/dax/drivers/device_dax/unbind", effect: .ignore, errno: EBUSY),
        Case(start: .devdax, target: .systemRAM, path: "bus/dax/drivers/kmem/new_id", effect: einval, errno: EINVAL),
        Case(start: .devdax, target: .systemRAM, path: "bus/dax/drivers/kmem/new_id", effect: .ignore, errno: ENODEV),
        Case(start: .devdax, target: .systemRAM, path: block, effect: ebusy, errno: EBUSY),
        Case(start: .devdax, target: .famfs, path: "bus/dax/drivers/fsdev_dax/new_id", effect: enxio, errno: ENXIO),
        Case(start: .devdax, target: .famfs, path: "bus/dax/drivers/fsdev_dax/new_id", effect: .ignore, errno: ENODEV),
        Case(start: .famfs, target: .devdax, path: "bus/dax/drivers/fsdev_dax/unbind", effect: ebusy, errno: EBUSY),
        Case(start: .famfs, target: .devdax, path: "bus/dax/drivers/device_dax/new_id", effect: einval, errno: EINVAL),
        Case(start: .famfs, target: .systemRAM, path: "bus/dax/drivers/kmem/new_id", effect: enxio, errno: ENXIO),
        Case(start: .systemRAMOnline, target: .devdax, path: block, effect: ebusy, errno: EBUSY),
        Case(start: .systemRAMOnline, target: .devdax, path: "bus/dax/drivers/kmem/remove_id", effect: ebusy, errno: EBUSY),
        Case(start: .systemRAMOnline, target: .devdax, path: "bus/dax/drivers/kmem/unbind", effect: .ignore, errno: EBUSY),
        Case(start: .systemRAMOnline, target: .devdax, path: "bus/dax/drivers/device_dax/new_id", effect: einval, errno: EINVAL),
        Case(start: .systemRAMOffline, target: .famfs, path: "bus/dax/drivers/device_dax/new_id", effect: einval, errno: EINVAL),
        // fsdev_dax never matches by type: without the id the kernel's bind says ENODEV.
        Case(start: .disabled, target: .famfs, path: "bus/dax/drivers/fsdev_dax/new_id", effect: .ignore, errno: ENODEV),
    ]

    /// A new_id that does not take with a bind that fails: the bind's errno is reported; a
    /// bind that succeeds without binding: ENXIO, as libdaxctl says.
    static let bindCases: [Case] = [
        Case(start: .devdax, target: .systemRAM, path: "bus/dax/drivers/kmem/bind", effect: enxio, errno: ENXIO),
        Case(start: .devdax, target: .famfs, path: "bus/dax/drivers/fsdev_dax/bind", effect: einval, errno: EINVAL),
        Case(start: .famfs, target: .devdax, path: "bus/dax/drivers/device_dax/bind", effect: .ignore, errno: ENXIO),
    ]

    @Test(arguments: cases + bindCases)
    func aFailedWriteRollsBack(fault: Case) throws {
        let machine = try Machine(fault.start)
        let original = machine.driver
        let onlineBefore = machine.blocks.filter(\.online).map(\.index)
        if fault.path.hasSuffix("/bind") {
            machine.kernel.inject(.ignore, at: fault.path.replacingOccurrences(of: "/bind", with: "/new_id"))
        }
        machine.kernel.inject(fault.effect, at: fault.path)
        let error = try #require(machine.failure(ReconfigureOptions(mode: fault.target, force: true)))
        #expect(error.errno == fault.errno)
        let text = "\(error)"
        #expect(text.hasPrefix("dax0.0: "))
        if case .fail = fault.effect { #expect(text.contains("/sys/\(fault.path)"), "the error names the file") }
        // system-ram → famfs passes through devdax: a failure after that point leaves devdax.
        let leftInDevdax = fault.start == .systemRAMOffline && fault.target == .famfs && !fault.path.contains("device_dax")
        #expect(machine.driver == (leftInDevdax ? DaxDriver.deviceDax : original))
        #expect(machine.blocks.filter(\.online).map(\.index) == onlineBefore, "memory state restored")
        #expect(machine.kernel.leakedOnlineMemory.isEmpty)
        #expect(text.contains("rolled back: dax0.0 is in") || text.contains("still"))
    }

    @Test func aFailedFamfsStepAfterLeavingSystemRAMSaysTheDeviceIsInDevdax() throws {
        let machine = try Machine(.systemRAMOnline)
        machine.kernel.inject(.fail(EINVAL), at: "bus/dax/drivers/fsdev_dax/new_id")
        let error = try #require(machine.failure(ReconfigureOptions(mode: .famfs, force: true)))
        #expect(machine.driver == DaxDriver.deviceDax)
        #expect("\(error)".contains("dax0.0 was left in devdax mode"))
        #expect(machine.blocks.isEmpty && machine.kernel.leakedOnlineMemory.isEmpty)
    }

    @Test func aBlockThatRefusesToOfflineIsNamedAndTheOthersComeBack() throws {
        let machine = try Machine(.systemRAMOnline)
        let stuck = machine.blocks[10]
        machine.kernel.setBlock("memory\(stuck.index)", refusesOffline: true)
        let error = try #require(machine.failure(ReconfigureOptions(mode: .devdax, force: true)))
        // Blocks are offlined from the highest down: the 21 above the stuck one went first.
        #expect(machine.blocks.count == 32)
        #expect(error == .switchFailed(
            device: "dax0.0",
            cause: SysfsError(path: "devices/system/memory/memory\(stuck.index)/state", errno: EBUSY, operation: .write),
            state: "rolled back: dax0.0 is in system-ram mode as before; the 21 block(s) offlined before the failure were onlined again"))
        #expect(machine.driver == DaxDriver.kmem)
        #expect(machine.blocks.allSatisfy { $0.online && $0.zone == "Movable" })
        #expect("\(error)".contains("unmovable kernel pages"))
    }

    @Test func aFailedRollbackSaysTheDeviceIsDisabled() throws {
        let machine = try Machine()
        machine.kernel.inject(.fail(EINVAL), at: "bus/dax/drivers/kmem/new_id")
        machine.kernel.inject(.fail(ENXIO), at: "bus/dax/drivers/device_dax/new_id")
        let error = try #require(machine.failure(ReconfigureOptions(mode: .systemRAM)))
        #expect(machine.driver == nil)
        #expect("\(error)".contains("rollback failed"))
        #expect("\(error)".contains("dax0.0 is now disabled (no driver bound)"))
        #expect(error.errno == EINVAL, "the first failure decides the exit status")
    }

    /// Without `resource` (not root) the blocks cannot be found after kmem bound: back to devdax.
    @Test func blocksThatCannotBeFoundAfterBindingRollBack() throws {
        let machine = try Machine()
        machine.kernel.resourceReadable = false
        let error = machine.failure(ReconfigureOptions(mode: .systemRAM))
        #expect(error == .interrupted(.memoryUnknown(device: "dax0.0"), state: "rolled back: dax0.0 is in devdax mode as before"))
        #expect(error?.errno == EACCES)
        #expect(machine.driver == DaxDriver.deviceDax && machine.blocks.isEmpty)
    }

    @Test func onliningFailureOfflinesWhatWasOnlined() throws {
        let machine = try Machine(.systemRAMOffline)
        machine.kernel.inject(.fail(EINVAL), at: Self.block)
        #expect(throws: DaxError.self) { try DaxController(sysfs: machine.kernel, procfs: machine.kernel).onlineMemory(machine.device, movable: true) }
        #expect(machine.blocks.allSatisfy { !$0.online })
        #expect(machine.driver == DaxDriver.kmem)
    }
}

@Suite struct BusyRetryTests {
    /// A device busy for a moment after famfs is unmounted: the unbind is retried.
    @Test(arguments: [SimulatedKernel.Fault.Effect.fail(EBUSY), .ignore])
    func aBriefEBUSYIsRetried(effect: SimulatedKernel.Fault.Effect) throws {
        let machine = try Machine(.famfs)
        machine.kernel.inject(effect, at: "bus/dax/drivers/fsdev_dax/unbind", times: 2)
        let controller = DaxController(sysfs: machine.kernel, procfs: machine.kernel, busyRetries: 2, retryDelay: .milliseconds(1))
        _ = try controller.reconfigure(machine.device, ReconfigureOptions(mode: .devdax))
        #expect(machine.driver == DaxDriver.deviceDax)
        #expect(machine.kernel.writeLog.filter { $0.write.path.hasSuffix("fsdev_dax/unbind") }.count == 3)
    }

    @Test func retriesRunOut() throws {
        let machine = try Machine(.famfs)
        machine.kernel.inject(.fail(EBUSY), at: "bus/dax/drivers/fsdev_dax/unbind", times: 3)
        let controller = DaxController(sysfs: machine.kernel, procfs: machine.kernel, busyRetries: 2, retryDelay: .milliseconds(1))
        #expect(throws: DaxError.self) { try controller.reconfigure(machine.device, ReconfigureOptions(mode: .devdax)) }
        #expect(machine.driver == DaxDriver.fsdevDax)
    }
}
