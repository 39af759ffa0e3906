import ArgumentParser

struct FamfsFsck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check a famfs file system."
    )

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "fsck: not implemented yet")
    }
}
