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

    var values: Values { Values(global: global.values, common: common.values) }
}

extension EnableDevice {
    /// The command's options, without argument-parser's property wrappers (see `QuickValues`).
    struct Values: DaxDeviceValues {
        typealias Command = EnableDevice
        var global: DaxGlobalOptions.Values
        var common: DaxDeviceArguments.Values

        static let summary = DaxSummary(done: "enabled", planned: "would enable")
        static let failure = "enabling device"
        static let verb = "enable"

        func operation() -> DaxOperation {
            { (controller, device) throws(DaxError) in try controller.enable(device) }
        }
    }
}

extension EnableDevice.Values {
    static let quickOptions = deviceQuickOptions

    init?(quick arguments: QuickArguments) {
        guard let devices = Self.quickDevices(arguments) else { return nil }
        self.init(global: devices.global, common: devices.common)
    }
}
