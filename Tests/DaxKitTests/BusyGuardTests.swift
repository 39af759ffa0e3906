// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import Foundation
import Testing
@testable import DaxKit
import Glibc

/// The busy-device guard: every command that unbinds refuses a held device before writing
/// anything, whatever holds it and whichever backend would act.
@Suite struct BusyGuardTests {
    enum Hold: String, CaseIterable, CustomStringConvertible, Sendable {
        case open, openElsewhere, mapped, mappedByNumber, mounted
        /// Held by threads that outlived the first one (`/proc/PID` shows empty tables).
        case openByASurvivingThread, mappedByASurvivingThread
        var description: String { rawValue }

        func apply(_ kernel: SimulatedKernel) {
            switch self {
            case .open: kernel.holdOpen("dax0.0", pid: 1240, command: "sleep")
            case .openElsewhere: kernel.holdOpen("dax0.0", pid: 1240, command: "sleep", path: "/dev/famfs/shared")
            case .mapped: kernel.holdMapped("dax0.0", pid: 1234, command: "holdmap")
            case .mappedByNumber: kernel.holdMapped("dax0.0", pid: 1234, command: "holdmap", path: "/srv/node")
            case .mounted: kernel.mount("dax0.0", on: "/mnt/famfs\\040one")
            case .openByASurvivingThread:
                kernel.holdOpen("dax0.0", pid: 1240, command: "sleep")
                kernel.exitFirstThread(of: 1240, leaving: [1241, 1242])
            case .mappedByASurvivingThread:
                kernel.holdMapped("dax0.0", pid: 1234, command: "holdmap")
                kernel.exitFirstThread(of: 1234, leaving: [1235])
            }
        }

        var line: String {
            switch self {
            case .open, .openByASurvivingThread: return "dax0.0: busy: pid 1240 (sleep) has /dev/dax0.0 open"
            case .openElsewhere: return "dax0.0: busy: pid 1240 (sleep) has /dev/famfs/shared open"
            case .mapped, .mappedByASurvivingThread: return "dax0.0: busy: pid 1234 (holdmap) has /dev/dax0.0 mapped"
            case .mappedByNumber: return "dax0.0: busy: pid 1234 (holdmap) has /srv/node mapped"
            case .mounted: return "dax0.0: busy: mounted on /mnt/famfs one"
            }
        }
    }

    /// An operation that unbinds dax0.0.
    enum Operation: String, CaseIterable, CustomStringConvertible, Sendable {
        case toFamfs, toDevdax, toSystemRAM, disable, destroy
        var description: String { rawValue }

        var start: Start { self == .toDevdax ? .famfs : .devdax }

        func run(_ controller: DaxController, _ device: DaxDevice) throws(DaxError) {
            switch self {
            case .toFamfs: _ = try controller.reconfigure(device, ReconfigureOptions(mode: .famfs))
            case .toDevdax: _ = try controller.reconfigure(device, ReconfigureOptions(mode: .devdax))
            case .toSystemRAM: _ = try controller.reconfigure(device, ReconfigureOptions(mode: .systemRAM))
            case .disable: _ = try controller.disable(device)
            case .destroy: _ = try controller.destroyDevice(device, force: true)
            }
        }
    }

    static let cases: [(Operation, Hold)] = Operation.allCases.flatMap { operation in Hold.allCases.map { (operation, $0) } }

    /// A binding that records what it was asked to do: stands for libdaxctl's, which acts
    /// without going through the sysfs writer.
    final class RecordingBinding: DriverBinding {
        var calls: [String] = []
        func unbind(_ device: DaxDevice, from driver: String) throws(StepFailure) { calls.append("unbind \(driver)") }
        func bind(_ device: DaxDevice, to driver: String) throws(StepFailure) { calls.append("bind \(driver)") }
    }

    @Test(arguments: cases)
    func aHeldDeviceIsRefusedWithNothingWritten(operation: Operation, hold: Hold) throws {
        let machine = try Machine(operation.start)
        hold.apply(machine.kernel)
        let before = machine.writesSoFar
        let driver = machine.driver
        let counting = CountingSysfs(machine.kernel)
        let error = #expect(throws: DaxError.self) { try operation.run(DaxController(sysfs: counting, procfs: machine.kernel), machine.device) }
        #expect(error?.errno == EBUSY)
        #expect(error?.lines == [hold.line, Self.advice])
        #expect(counting.writes == 0 && machine.writesSoFar == before && machine.driver == driver)
        #expect(counting.log.filter { !$0.hasPrefix("read ") && !$0.hasPrefix("exists ") && !$0.hasPrefix("list ") } == [],
                "only reads before the refusal")
    }

    static let advice = "dax0.0: nothing was changed; stop those processes or unmount, then retry "
        + "(the kernel lets a busy device be unbound and then corrupts itself)"

    /// The guard runs before the backend acts: the libdaxctl binding is never called.
    @Test(arguments: Operation.allCases)
    func theLibdaxctlBackendIsGuardedToo(operation: Operation) throws {
        let machine = try Machine(operation.start)
        Hold.mapped.apply(machine.kernel)
        let binding = RecordingBinding()
        let before = machine.writesSoFar
        let controller = DaxController(sysfs: machine.kernel, procfs: machine.kernel, binding: { _ in binding })
        #expect(throws: DaxError.busy(device: "dax0.0", holders: [DeviceHolder(use: .mapped, pid: 1234, command: "holdmap", path: "/dev/dax0.0")])) {
            try operation.run(controller, machine.device)
        }
        #expect(binding.calls.isEmpty && machine.writesSoFar == before)
        machine.kernel.processes = [:]
        try? operation.run(controller, machine.device)
        #expect(!binding.calls.isEmpty, "the same controller acts once the holder is gone")
    }

    @Test(arguments: Operation.allCases)
    func aDryRunShowsTheHoldersAndPlansNothing(operation: Operation) throws {
        let machine = try Machine(operation.start)
        Hold.open.apply(machine.kernel)
        Hold.mapped.apply(machine.kernel)
        Hold.mounted.apply(machine.kernel)
        let controller = DaxController(sysfs: machine.kernel, procfs: machine.kernel, dryRun: true)
        let error = #expect(throws: DaxError.self) { try operation.run(controller, machine.device) }
        #expect(error?.lines == [Hold.mapped.line, Hold.open.line, Hold.mounted.line, Self.advice], "by pid, the mounts last")
        #expect(controller.writer.writes.isEmpty)
    }

    /// Holders of other devices and other files do not count; a process both mapping and
    /// holding the node open is named twice.
    @Test func onlyTheDeviceItselfCounts() throws {
        let machine = try Machine()
        machine.kernel.addDevice(region: 0, instance: 10, size: 0, driver: nil)
        machine.kernel.holdOpen("dax0.10", pid: 7, command: "other")
        machine.kernel.holdMapped("dax0.10", pid: 8, command: "other")
        machine.kernel.processes[9] = .init(command: "shell", descriptors: [.init(target: "/dev/null", device: DeviceNumber(major: 1, minor: 3)),
                                                                           .init(target: "socket:[4242]", device: nil)], maps: [])
        machine.kernel.mount("dax0.10", on: "/mnt/other")
        _ = try machine.reconfigure(ReconfigureOptions(mode: .famfs))
        #expect(machine.driver == DaxDriver.fsdevDax)
        Hold.open.apply(machine.kernel)
        machine.kernel.holdMapped("dax0.0", pid: 1240, command: "sleep")
        let error = machine.failure(ReconfigureOptions(mode: .devdax))
        #expect(error?.lines.prefix(2) == ["dax0.0: busy: pid 1240 (sleep) has /dev/dax0.0 mapped", Hold.open.line])
    }

    @Test func manyHoldersAreCounted() throws {
        let machine = try Machine()
        for pid in Int32(100)..<140 { machine.kernel.holdOpen("dax0.0", pid: pid, command: "worker") }
        let lines = try #require(machine.failure(ReconfigureOptions(mode: .famfs))?.lines)
        #expect(lines.count == 34 && lines[32] == "dax0.0: busy: and 8 more")
    }

    /// A device that is not bound has no node to hold: enabling needs no scan.
    @Test func anUnboundDeviceIsNotScanned() throws {
        let machine = try Machine(.disabled)
        Hold.open.apply(machine.kernel)
        _ = try machine.reconfigure(ReconfigureOptions(mode: .famfs))
        #expect(machine.driver == DaxDriver.fsdevDax)
    }

    // MARK: the parsers

    static func mapping(_ line: String, number: DeviceNumber? = DeviceNumber(major: 252, minor: 0)) -> String? {
        var line = line
        return line.withUTF8 { BusyGuard.mapping(UnsafeRawBufferPointer($0), path: Array("/dev/dax0.0".utf8),
                                                 deleted: Array("/dev/dax0.0 (deleted)".utf8), number: number) }
    }

    @Test func mapsLines() {
        #expect(Self.mapping("7f3a40000000-7f3a40200000 rw-s 00000000 00:05 512   /dev/dax0.0") == "/dev/dax0.0")
        #expect(Self.mapping("7f3a40000000-7f3a40200000 rw-s 00000000 00:05 512   /dev/dax0.0 (deleted)") == "/dev/dax0.0 (deleted)")
        #expect(Self.mapping("7f3a40000000-7f3a40200000 rw-s 00000000 fc:00 512   /srv/x") == "/srv/x")
        #expect(Self.mapping("7f3a40000000-7f3a40200000 rw-s 00000000 fc:00 512") == "device 252:0")
        #expect(Self.mapping("7f3a40000000-7f3a40200000 rw-s 00000000 fc:00 512   /srv/x", number: nil) == nil)
        #expect(Self.mapping("7f3a40000000-7f3a40200000 rw-s 00000000 fc:01 512   /dev/dax0.00") == nil)
        #expect(Self.mapping("7f3a40000000-7f3a40200000 rw-s 00000000 100:00 512  /x") == nil)
        #expect(Self.mapping("garbage") == nil)
        #expect(Self.mapping("") == nil)
    }

    static func mountPoint(_ line: String) -> String? {
        var line = line
        return line.withUTF8 { BusyGuard.mountPoint(UnsafeRawBufferPointer($0), path: Array("/dev/dax0.0".utf8), number: DeviceNumber(major: 252, minor: 0)) }
    }

    @Test func mountinfoLines() {
        #expect(Self.mountPoint("36 25 252:0 / /mnt/a rw shared:1 - famfs /dev/dax0.0 rw") == "/mnt/a")
        #expect(Self.mountPoint("36 25 0:52 / /mnt/b\\012x rw - fuse.famfs /dev/dax0.0 rw") == "/mnt/b?x", "control bytes are not printed")
        #expect(Self.mountPoint("36 25 252:0 / /mnt/c rw - ext4 /dev/other rw") == "/mnt/c", "by device number")
        #expect(Self.mountPoint("36 25 8:1 / / rw - ext4 /dev/sda1 rw") == nil)
        #expect(Self.mountPoint("36 25 252:0 / /mnt/c rw") == nil)
    }

    @Test func deviceNumbers() {
        #expect(DeviceNumber(Array("252:3".utf8), radix: 10) == DeviceNumber(major: 252, minor: 3))
        #expect(DeviceNumber(Array("fc:03".utf8), radix: 16) == DeviceNumber(major: 252, minor: 3))
        #expect(DeviceNumber(Array("fc".utf8), radix: 16) == nil)
        #expect(DeviceNumber(Array("fc:03".utf8), radix: 10) == nil)
        #expect(DeviceNumber(Array("99999999999:0".utf8), radix: 10) == nil)
        #expect(DeviceNumber(rdev: 252 << 8 | 3) == DeviceNumber(major: 252, minor: 3))
    }
}
