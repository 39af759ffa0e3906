import ArgumentParser

struct OfflineMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline-memory",
        abstract: "Offline the memory of a system-ram dax device."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "offline-memory: not implemented yet")
    }
}
