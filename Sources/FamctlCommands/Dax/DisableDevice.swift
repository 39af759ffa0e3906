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
    var busyRetries: Int { retry.busyRetries }

    static let summary = DaxSummary(done: "disabled", planned: "would disable")
    static let failure = "disabling device"
    static let verb = "disable"

    func operation() -> DaxOperation {
        { (controller, device) throws(DaxError) in try controller.disable(device) }
    }
}

extension DisableDevice {
    static let quickOptions = deviceQuickOptions + DaxRetryOptions.quickOptions

    static func quick(_ arguments: QuickArguments) -> DisableDevice? {
        guard var command = quickDevices(arguments), let retry = DaxRetryOptions.quick(arguments) else { return nil }
        command.retry = retry
        return command
    }
}
