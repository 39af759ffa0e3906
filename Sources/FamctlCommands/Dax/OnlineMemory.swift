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

    static let summary = DaxSummary(done: "onlined memory for", planned: "would online memory for")
    static let failure = "onlining memory"
    static let verb = "online memory for"

    func operation() -> DaxOperation {
        { (controller, device) throws(DaxError) in try controller.onlineMemory(device, movable: zone == .movable) }
    }
}

extension OnlineMemory {
    static let quickOptions = deviceQuickOptions + MemoryZone.quickOptions

    static func quick(_ arguments: QuickArguments) -> OnlineMemory? {
        guard var command = quickDevices(arguments) else { return nil }
        command.zone = MemoryZone.quick(arguments) ?? .movable
        return command
    }
}
