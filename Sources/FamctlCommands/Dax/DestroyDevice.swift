import ArgumentParser

struct DestroyDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy-device",
        abstract: "Destroy a dax device."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "destroy-device: not implemented yet")
    }
}
