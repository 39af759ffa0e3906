import ArgumentParser
import DaxKit

/// `famctl disable-device`: daxctl's `disable-device`.
struct DisableDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable-device",
        abstract: "Disable dax devices.",
        discussion: "Unbinds the driver of each devdax or famfs device. Devices in system-ram mode are refused (250, ENXIO); a device already disabled is success."
    )

    @OptionGroup var global: DaxGlobalOptions

    @OptionGroup var common: DaxDeviceArguments

    func validate() throws { try common.requireDevices(verb: "disable") }

    func run() async throws {
        let run = common.runner(global, summary: "disabled", error: "disabling device")
        try run.run(devices: common.devices, region: common.region) { (controller, device) throws(DaxError) in
            try controller.disable(device)
        }
    }
}
