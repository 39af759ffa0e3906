import ArgumentParser

struct ReconfigureDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconfigure-device",
        abstract: "Switch dax devices among devdax, system-ram and famfs modes."
    )

    @Option(name: .shortAndLong, help: "Mode to switch to.", completion: .list(Completions.modes))
    var mode: String?

    @Option(name: .shortAndLong, help: "Only devices in this region.", completion: .custom(Completions.regions))
    var region: String?

    @Argument(help: "Devices: daxX.Y, X.Y or all.", completion: .custom(Completions.daxDevices))
    var devices: [String] = []

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "reconfigure-device: not implemented yet")
    }
}
