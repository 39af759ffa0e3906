// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// `famctl disable-device`: daxctl's `disable-device`.
struct DisableDevice: DaxDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable-device",
        abstract: "Disable dax devices.",
        discussion: "Unbinds the driver of each devdax or famfs device. Devices in system-ram mode are refused (\(ExitCodes.cite(ENXIO))); a device already disabled is success. A device that a process holds open or mapped, or that is mounted, is refused (\(ExitCodes.cite(EBUSY))) before anything is written: unbinding it would corrupt the kernel."
    )

    @OptionGroup var global: DaxGlobalOptions

    @OptionGroup var common: DaxDeviceArguments

    @OptionGroup var retry: DaxRetryOptions

    var values: Values { Values(global: global.values, common: common.values, busyRetries: retry.busyRetries) }
}

extension DisableDevice {
    /// The command's options, without argument-parser's property wrappers (see `QuickValues`).
    struct Values: DaxDeviceValues {
        typealias Command = DisableDevice
        var global: DaxGlobalOptions.Values
        var common: DaxDeviceArguments.Values
        var busyRetries: Int

        static let summary = DaxSummary(done: "disabled", planned: "would disable")
        static let failure = "disabling device"
        static let verb = "disable"

        func operation() -> DaxOperation {
            { (controller, device) throws(DaxError) in try controller.disable(device) }
        }
    }
}

extension DisableDevice.Values {
    static let quickOptions = deviceQuickOptions + DaxRetryOptions.quickOptions

    init?(quick arguments: QuickArguments) {
        guard let devices = Self.quickDevices(arguments), let busyRetries = DaxRetryOptions.quick(arguments) else { return nil }
        self.init(global: devices.global, common: devices.common, busyRetries: busyRetries)
    }
}
