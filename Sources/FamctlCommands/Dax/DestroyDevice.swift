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

    var values: Values { Values(global: global.values, force: force, common: common.values, busyRetries: retry.busyRetries) }
}

extension DestroyDevice {
    /// The command's options, without argument-parser's property wrappers (see `QuickValues`).
    struct Values: DaxDeviceValues {
        typealias Command = DestroyDevice
        var global: DaxGlobalOptions.Values
        var force: Bool
        var common: DaxDeviceArguments.Values
        var busyRetries: Int

        static let summary = DaxSummary(done: "destroyed", planned: "would destroy")
        static let failure = "destroying devices"
        static let verb = "destroy"

        func operation() -> DaxOperation {
            { (controller, device) throws(DaxError) in try controller.destroyDevice(device, force: force) }
        }
    }
}

extension DestroyDevice.Values {
    static let quickOptions = deviceQuickOptions + DaxRetryOptions.quickOptions + [.flag("f", "force")]

    init?(quick arguments: QuickArguments) {
        guard let devices = Self.quickDevices(arguments), let busyRetries = DaxRetryOptions.quick(arguments) else { return nil }
        self.init(global: devices.global, force: arguments.flag("force"), common: devices.common, busyRetries: busyRetries)
    }
}
