import ArgumentParser

struct DisableDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable-device",
        abstract: "Disable a dax device."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "disable-device: not implemented yet")
    }
}
