// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// `famctl offline-memory`: daxctl's `offline-memory`.
struct OfflineMemory: DaxDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline-memory",
        abstract: "Offline the memory of a system-ram dax device.",
        discussion: "Offlines the online memory blocks of each device. All memory already offline is success. A block that is not removable (\(ExitCodes.cite(EOPNOTSUPP))) or refuses to go offline (\(ExitCodes.cite(EBUSY))) is named; blocks offlined before the failure are onlined again."
    )

    @OptionGroup var global: DaxGlobalOptions

    @OptionGroup var common: DaxDeviceArguments

    var values: Values { Values(global: global.values, common: common.values) }
}

extension OfflineMemory {
    /// The command's options, without argument-parser's property wrappers (see `QuickValues`).
    struct Values: DaxDeviceValues {
        typealias Command = OfflineMemory
        var global: DaxGlobalOptions.Values
        var common: DaxDeviceArguments.Values

        static let summary = DaxSummary(done: "offlined memory for", planned: "would offline memory for")
        static let failure = "offlining memory"
        static let verb = "offline memory for"

        func operation() -> DaxOperation {
            { (controller, device) throws(DaxError) in try controller.offlineMemory(device) }
        }
    }
}

extension OfflineMemory.Values {
    static let quickOptions = deviceQuickOptions

    init?(quick arguments: QuickArguments) {
        guard let devices = Self.quickDevices(arguments) else { return nil }
        self.init(global: devices.global, common: devices.common)
    }
}
