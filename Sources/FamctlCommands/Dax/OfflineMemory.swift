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

    var values: Values { Values(invocation: DaxDeviceInvocation(global, common)) }
}

extension OfflineMemory {
    /// `offline-memory`'s values (see `QuickValues`): only what every per-device command has.
    struct Values: DaxInvocationValues {
        typealias Command = OfflineMemory
        static let summary = DaxSummary(done: "offlined memory for", planned: "would offline memory for", failure: "offlining memory")
        static let verb = "offline memory for"
        static let quickOptions = deviceQuickOptions
        var invocation: DaxDeviceInvocation

        func operation() -> DaxOperation { { (controller, device) throws(DaxError) in try controller.offlineMemory(device) } }
    }
}
