// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// `famctl online-memory`: daxctl's `online-memory`.
struct OnlineMemory: DaxDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "online-memory",
        abstract: "Online the memory of a system-ram dax device.",
        discussion: "Onlines the offline memory blocks of each device (movable unless --no-movable). All memory already online is success (exit 0, noted on stderr). Devices not in system-ram mode: exit \(ExitCodes.dax(errno: ENXIO)) (ENXIO). A failure offlines again the blocks onlined before it."
    )

    @OptionGroup var global: DaxGlobalOptions

    @Flag(exclusivity: .chooseLast)
    var zone: MemoryZone = .movable

    @OptionGroup var common: DaxDeviceArguments

    var values: Values { Values(invocation: DaxDeviceInvocation(global, common), zone: zone) }
}

extension OnlineMemory {
    /// `online-memory`'s values (see `QuickValues`): the zone beside what every per-device
    /// command has.
    struct Values: DaxDeviceValues {
        typealias Command = OnlineMemory
        static let summary = DaxSummary(done: "onlined memory for", planned: "would online memory for", failure: "onlining memory")
        static let verb = "online memory for"
        static let quickOptions = deviceQuickOptions + MemoryZone.quickOptions
        var invocation: DaxDeviceInvocation
        var zone: MemoryZone

        func operation() -> DaxOperation {
            { (controller, device) throws(DaxError) in try controller.onlineMemory(device, movable: zone == .movable) }
        }
    }
}

extension OnlineMemory.Values {
    init?(quick arguments: QuickArguments) {
        guard let invocation = DaxDeviceInvocation(quick: arguments) else { return nil }
        self.init(invocation: invocation, zone: MemoryZone.quick(arguments) ?? .movable)
    }
}
