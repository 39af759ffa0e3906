// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// `famctl enable-device`: daxctl's `enable-device`.
struct EnableDevice: DaxDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable-device",
        abstract: "Enable dax devices in devdax mode.",
        discussion: "Binds device_dax to each disabled device. Devices in system-ram mode are refused (\(ExitCodes.cite(ENXIO))); a device already enabled is success."
    )

    @OptionGroup var global: DaxGlobalOptions

    @OptionGroup var common: DaxDeviceArguments

    var values: Values { Values(invocation: DaxDeviceInvocation(global, common)) }
}

extension EnableDevice {
    /// `enable-device`'s values (see `QuickValues`): only what every per-device command has.
    struct Values: DaxInvocationValues {
        typealias Command = EnableDevice
        static let summary = DaxSummary(done: "enabled", planned: "would enable", failure: "enabling device")
        static let verb = "enable"
        static let quickOptions = deviceQuickOptions
        var invocation: DaxDeviceInvocation

        func operation() -> DaxOperation { { (controller, device) throws(DaxError) in try controller.enable(device) } }
    }
}
