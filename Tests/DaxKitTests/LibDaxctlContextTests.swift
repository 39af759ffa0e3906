// SPDX-License-Identifier: Apache-2.0
import CDaxctl
import DaxSimulator
import Glibc
import Testing
@testable import DaxKit

@Suite struct LibDaxctlContextTests {
    /// Proves the CDaxctl system library links and runs without dax hardware: each context
    /// is a live libdaxctl context of its own (it starts at libdaxctl's default log priority,
    /// LOG_ERR with DAXCTL_LOG unset, and keeps what is set on it, apart from another), and
    /// it enumerates the regions the sysfs backend finds in /sys.
    @Test func eachContextIsALiveContextOfItsOwn() throws {
        let first = try LibDaxctlContext()
        let second = try LibDaxctlContext()
        // Not among the functions famctl loads (shim.h), so looked up here.
        typealias GetPriority = @convention(c) (OpaquePointer) -> Int32
        typealias SetPriority = @convention(c) (OpaquePointer, Int32) -> Void
        let daxctl_get_log_priority = unsafeBitCast(try #require(dlsym(first.api.handle, "daxctl_get_log_priority")), to: GetPriority.self)
        let daxctl_set_log_priority = unsafeBitCast(try #require(dlsym(first.api.handle, "daxctl_set_log_priority")), to: SetPriority.self)
        #expect(daxctl_get_log_priority(first.handle) == LOG_ERR)
        #expect(daxctl_get_log_priority(second.handle) == LOG_ERR)
        daxctl_set_log_priority(first.handle, LOG_DEBUG)
        #expect(daxctl_get_log_priority(first.handle) == LOG_DEBUG)
        #expect(daxctl_get_log_priority(second.handle) == LOG_ERR)
        let sysfs = HostSysfs()
        #expect(second.regions(sysfs: sysfs, readMappings: false).map(\.path) == DaxDiscovery(sysfs: sysfs).regions().map(\.path))
    }
}

@Suite struct LibDaxctlBindingTests {
    /// Regression: one context for a whole switch let libdaxctl free a device's libkmod module
    /// twice (enable, then disable, then the context's release): system-ram → famfs crashed.
    /// Every step must get a context of its own. (No dax device here: each step ends in ENODEV
    /// after making its context, which is all this counts.)
    @Test func everyStepHasAContextOfItsOwn() throws {
        var made = 0
        let writer = SysfsWriter(sysfs: HostSysfs(), dryRun: false)
        let binding = LibDaxctlBinding(writer: writer) { () throws(LibDaxctlError) in
            made += 1
            return try LibDaxctlContext()
        }
        let device = DaxDevice(name: "dax97.3", regionID: 97, instance: 3, path: "bus/dax/devices/dax97.3",
                               size: 0, state: .unbound)
        #expect(throws: StepFailure.self) { try binding.unbind(device, from: DaxDriver.kmem) }
        #expect(throws: StepFailure.self) { try binding.bind(device, to: DaxDriver.deviceDax) }
        #expect(throws: StepFailure.self) { try binding.unbind(device, from: DaxDriver.deviceDax) }
        #expect(made == 3)
        // A failure names the library call, not a sysfs path libdaxctl never wrote.
        let failure = try #require(throws: StepFailure.self) { try binding.bind(device, to: DaxDriver.kmem) }
        #expect(failure == .sysfs(SysfsError(path: "daxctl_dev_enable_ram(dax97.3)", errno: ENODEV, operation: .libraryCall)))
        if case .sysfs(let error) = failure { #expect(error.description == "daxctl_dev_enable_ram(dax97.3): No such device") }
    }

    /// A dry run (and -v) with the libdaxctl backend lists the calls that backend makes, and
    /// the memory-block writes, which go through sysfs with either backend; never the
    /// remove_id/unbind/new_id/bind writes of the sysfs backend.
    @Test func aDryRunListsTheLibraryCalls() throws {
        let kernel = SimulatedKernel.hmem(size: 1 << 30)
        let controller = DaxController(sysfs: kernel, procfs: kernel, dryRun: true, binding: { LibDaxctlBinding(writer: $0) })
        let device = try #require(DaxDiscovery(sysfs: kernel).regions().first?.devices.first)
        _ = try controller.reconfigure(device, ReconfigureOptions(mode: .systemRAM))
        let commands = controller.writer.writes.map(\.description)
        #expect(Array(commands.prefix(2)) == ["daxctl_dev_disable(dax0.0)", "daxctl_dev_enable_ram(dax0.0)"], "\(commands)")
        #expect(commands.dropFirst(2).allSatisfy { $0.hasPrefix("echo online_movable > /sys/devices/system/memory/memory") }, "\(commands)")
        #expect(commands.count > 2 && kernel.writeLog.isEmpty)
    }
}
