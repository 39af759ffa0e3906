import ArgumentParser
import DaxKit

/// `famctl online-memory`: daxctl's `online-memory`.
struct OnlineMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "online-memory",
        abstract: "Online the memory of a system-ram dax device.",
        discussion: "Onlines the offline memory blocks of each device (movable unless --no-movable). All memory already online is success (exit 0, noted on stderr). Devices not in system-ram mode: exit 250 (ENXIO). A failure offlines again the blocks onlined before it."
    )

    @OptionGroup var global: DaxGlobalOptions

    @Flag(inversion: .prefixedNo, help: "Online as movable (default); --no-movable lets the kernel pick the zone.")
    var movable = true

    @OptionGroup var common: DaxDeviceArguments

    func validate() throws { try common.requireDevices(verb: "online memory for") }

    func run() async throws {
        let run = common.runner(global, summary: "onlined memory for", error: "onlining memory")
        try run.run(devices: common.devices, region: common.region) { (controller, device) throws(DaxError) in
            try controller.onlineMemory(device, movable: movable)
        }
    }
}
