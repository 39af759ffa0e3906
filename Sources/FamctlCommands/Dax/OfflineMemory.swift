import ArgumentParser
import DaxKit

/// `famctl offline-memory`: daxctl's `offline-memory`.
struct OfflineMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline-memory",
        abstract: "Offline the memory of a system-ram dax device.",
        discussion: "Offlines the online memory blocks of each device. All memory already offline is success. A block that is not removable (161, EOPNOTSUPP) or refuses to go offline (240, EBUSY) is named; blocks offlined before the failure are onlined again."
    )

    @OptionGroup var global: DaxGlobalOptions

    @OptionGroup var common: DaxDeviceArguments

    func validate() throws { try common.requireDevices(verb: "offline memory for") }

    func run() async throws {
        let run = common.runner(global, summary: "offlined memory for", error: "offlining memory")
        try run.run(devices: common.devices, region: common.region) { (controller, device) throws(DaxError) in
            try controller.offlineMemory(device)
        }
    }
}
