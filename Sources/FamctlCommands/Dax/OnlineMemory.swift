import ArgumentParser

struct OnlineMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "online-memory",
        abstract: "Online the memory of a system-ram dax device."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "online-memory: not implemented yet")
    }
}
