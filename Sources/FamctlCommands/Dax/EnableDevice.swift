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

    static let summary = DaxSummary(done: "enabled", planned: "would enable")
    static let failure = "enabling device"
    static let verb = "enable"

    func operation() -> DaxOperation {
        { (controller, device) throws(DaxError) in try controller.enable(device) }
    }
}

extension EnableDevice {
    static let quickOptions = deviceQuickOptions

    static func quick(_ arguments: QuickArguments) -> EnableDevice? { quickDevices(arguments) }
}
