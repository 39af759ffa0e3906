import ArgumentParser
import DaxKit

/// `famctl enable-device`: daxctl's `enable-device`.
struct EnableDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable-device",
        abstract: "Enable dax devices in devdax mode.",
        discussion: "Binds device_dax to each disabled device. Devices in system-ram mode are refused (250, ENXIO); a device already enabled is success."
    )

    @OptionGroup var global: DaxGlobalOptions

    @OptionGroup var common: DaxDeviceArguments

    func validate() throws { try common.requireDevices(verb: "enable") }

    func run() async throws {
        let run = common.runner(global, summary: "enabled", error: "enabling device")
        try run.run(devices: common.devices, region: common.region) { (controller, device) throws(DaxError) in
            try controller.enable(device)
        }
    }
}
