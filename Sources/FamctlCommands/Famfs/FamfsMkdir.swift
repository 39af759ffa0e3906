import ArgumentParser

struct FamfsMkdir: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkdir",
        abstract: "Create directories in a famfs file system."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "mkdir: not implemented yet")
    }
}
