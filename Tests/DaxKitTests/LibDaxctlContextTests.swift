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
    /// Regression: an enable and then a disable of one device in one context let libdaxctl
    /// free the device's libkmod module twice (disable, then the context's release):
    /// system-ram → famfs, which passes through devdax, crashed. Such a disable gets a new
    /// context; every other step shares the current one, as daxctl's own switch does.
    @Test func aDisableOfADeviceEnabledInTheContextGetsANewOne() {
        var plan = LibDaxctlBinding.ContextPlan()
        // system-ram → famfs: disable (kmem), enable devdax, disable, enable famfs.
        #expect(!plan.needsNewContext(disabling: "dax0.0"))
        plan.recordEnable(of: "dax0.0")
        #expect(plan.needsNewContext(disabling: "dax0.0"))
        #expect(!plan.needsNewContext(disabling: "dax1.0"), "another device's disable shares the context")
        plan.newContext()
        #expect(!plan.needsNewContext(disabling: "dax0.0"))
        plan.recordEnable(of: "dax0.0")
        plan.recordEnable(of: "dax0.0")
        plan.recordEnable(of: "dax1.0")
        #expect(plan.enabled == ["dax0.0", "dax1.0"])
    }

    /// A device missing from the current context (made since it enumerated the bus) is looked
    /// for once more in a fresh one; the first step makes the first. (No dax device here:
    /// every lookup fails, so each step ends in ENODEV after the contexts counted.)
    @Test func aDeviceMissingFromTheContextIsLookedForInAFreshOne() throws {
        var made = 0
        let writer = SysfsWriter(sysfs: HostSysfs(), dryRun: false)
        let binding = LibDaxctlBinding(writer: writer) { () throws(LibDaxctlError) in
            made += 1
            return try LibDaxctlContext()
        }
        let device = DaxDevice(name: "dax97.3", regionID: 97, instance: 3, path: "bus/dax/devices/dax97.3",
                               size: 0, state: .unbound)
        #expect(throws: StepFailure.self) { try binding.unbind(device, from: DaxDriver.kmem) }
        #expect(made == 1)
        #expect(throws: StepFailure.self) { try binding.bind(device, to: DaxDriver.deviceDax) }
        #expect(throws: StepFailure.self) { try binding.unbind(device, from: DaxDriver.deviceDax) }
        #expect(made == 3)
    }
}
