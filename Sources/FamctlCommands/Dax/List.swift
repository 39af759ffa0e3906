import ArgumentParser

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dax regions and devices as JSON."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "list: not implemented yet")
    }
}
