import ArgumentParser

struct CreateDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-device",
        abstract: "Create a dax device in a dynamic region."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "create-device: not implemented yet")
    }
}
