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

    var values: Values { Values(global: global.values, zone: zone, common: common.values) }
}

extension OnlineMemory {
    /// The command's options, without argument-parser's property wrappers (see `QuickValues`).
    struct Values: DaxDeviceValues {
        typealias Command = OnlineMemory
        var global: DaxGlobalOptions.Values
        var zone: MemoryZone
        var common: DaxDeviceArguments.Values

        static let summary = DaxSummary(done: "onlined memory for", planned: "would online memory for")
        static let failure = "onlining memory"
        static let verb = "online memory for"

        func operation() -> DaxOperation {
            { (controller, device) throws(DaxError) in try controller.onlineMemory(device, movable: zone == .movable) }
        }
    }
}

extension OnlineMemory.Values {
    static let quickOptions = deviceQuickOptions + MemoryZone.quickOptions

    init?(quick arguments: QuickArguments) {
        guard let devices = Self.quickDevices(arguments) else { return nil }
        self.init(global: devices.global, zone: MemoryZone.quick(arguments) ?? .movable, common: devices.common)
    }
}
