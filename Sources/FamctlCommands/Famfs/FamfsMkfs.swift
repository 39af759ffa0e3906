import ArgumentParser

struct FamfsMkfs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkfs",
        abstract: "Format a dax device or image file as famfs."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "mkfs: not implemented yet")
    }
}
