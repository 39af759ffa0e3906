import ArgumentParser
import DaxKit

/// `famctl destroy-device`: daxctl's `destroy-device`.
struct DestroyDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy-device",
        abstract: "Destroy dax devices of a dynamic region.",
        discussion: "Shrinks each device to 0 and deletes it. An enabled device needs --force (else 250, ENXIO). The first device of a region (daxR.0) cannot be deleted; it is left with size 0 and counted, as in daxctl."
    )

    @OptionGroup var global: DaxGlobalOptions

    @Flag(name: [.customShort("f"), .customLong("force")], help: "Disable the device before destroying it.")
    var force = false

    @OptionGroup var common: DaxDeviceArguments

    func validate() throws { try common.requireDevices(verb: "destroy") }

    func run() async throws {
        let run = common.runner(global, summary: "destroyed", error: "destroying devices")
        try run.run(devices: common.devices, region: common.region) { (controller, device) throws(DaxError) in
            try controller.destroyDevice(device, force: force)
        }
    }
}
