import ArgumentParser

struct ReconfigureDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconfigure-device",
        abstract: "Switch dax devices among devdax, system-ram and famfs modes."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "reconfigure-device: not implemented yet")
    }
}
