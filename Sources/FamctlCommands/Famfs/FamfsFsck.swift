import ArgumentParser

struct FamfsFsck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check a famfs file system."
    )

    @Argument(help: "Dax device or image file to check.", completion: .file())
    var device: String

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "fsck: not implemented yet")
    }
}
