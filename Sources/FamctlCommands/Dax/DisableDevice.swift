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

    var values: Values { Values(invocation: DaxDeviceInvocation(global, common, retry)) }
}

extension DisableDevice {
    /// `disable-device`'s values (see `QuickValues`): what every per-device command has, with
    /// `--busy-retries`.
    struct Values: DaxInvocationValues {
        typealias Command = DisableDevice
        static let summary = DaxSummary(done: "disabled", planned: "would disable", failure: "disabling device")
        static let verb = "disable"
        static let quickOptions = deviceQuickOptions + DaxRetryOptions.quickOptions
        var invocation: DaxDeviceInvocation

        func operation() -> DaxOperation { { (controller, device) throws(DaxError) in try controller.disable(device) } }
    }
}
