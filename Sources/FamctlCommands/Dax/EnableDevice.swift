import ArgumentParser

struct EnableDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable-device",
        abstract: "Enable a dax device."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "enable-device: not implemented yet")
    }
}
