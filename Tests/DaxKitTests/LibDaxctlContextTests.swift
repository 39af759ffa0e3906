// SPDX-License-Identifier: Apache-2.0
import CDaxctl
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
        // famctl itself never calls these two, so they are looked up here, from the library
        // the contexts were made by.
        let getPriority = try #require(dlsym(first.api.handle, "daxctl_get_log_priority"))
        let setPriority = try #require(dlsym(first.api.handle, "daxctl_set_log_priority"))
        let priority = unsafeBitCast(getPriority, to: (@convention(c) (OpaquePointer) -> Int32).self)
        let setTo = unsafeBitCast(setPriority, to: (@convention(c) (OpaquePointer, Int32) -> Void).self)
        #expect(priority(first.handle) == LOG_ERR)
        #expect(priority(second.handle) == LOG_ERR)
        setTo(first.handle, LOG_DEBUG)
        #expect(priority(first.handle) == LOG_DEBUG)
        #expect(priority(second.handle) == LOG_ERR)
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
    }
}
