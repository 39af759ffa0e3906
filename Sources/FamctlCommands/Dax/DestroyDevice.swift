// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// `famctl destroy-device`: daxctl's `destroy-device`.
struct DestroyDevice: DaxDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy-device",
        abstract: "Destroy dax devices of a dynamic region.",
        discussion: "Shrinks each device to 0 and deletes it. An enabled device needs --force (else \(ExitCodes.cite(ENXIO))), and is refused (\(ExitCodes.dax(errno: EBUSY))) while a process holds it open or mapped or it is mounted. The first device of a region (daxR.0) cannot be deleted; it is left with size 0 and counted, as in daxctl."
    )

    @OptionGroup var global: DaxGlobalOptions

    @Flag(name: [.customShort("f"), .customLong("force")], help: "Disable the device before destroying it.")
    var force = false

    @OptionGroup var common: DaxDeviceArguments

    @OptionGroup var retry: DaxRetryOptions

    var values: Values { Values(invocation: DaxDeviceInvocation(global, common, retry), force: force) }
}

extension DestroyDevice {
    /// `destroy-device`'s values (see `QuickValues`): `--force` beside what every per-device
    /// command has, with `--busy-retries`.
    struct Values: DaxDeviceValues {
        typealias Command = DestroyDevice
        static let summary = DaxSummary(done: "destroyed", planned: "would destroy", failure: "destroying devices")
        static let verb = "destroy"
        static let quickOptions = deviceQuickOptions + DaxRetryOptions.quickOptions + [.flag("f", "force")]
        var invocation: DaxDeviceInvocation
        var force: Bool

        func operation() -> DaxOperation { { (controller, device) throws(DaxError) in try controller.destroyDevice(device, force: force) } }
    }
}

extension DestroyDevice.Values {
    init?(quick arguments: QuickArguments) {
        guard let invocation = DaxDeviceInvocation(quick: arguments) else { return nil }
        self.init(invocation: invocation, force: arguments.flag("force"))
    }
}
