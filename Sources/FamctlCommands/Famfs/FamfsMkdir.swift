import ArgumentParser

struct FamfsMkdir: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkdir",
        abstract: "Create directories in a famfs file system."
    )

    @Argument(help: "Dax device or image file holding the file system.", completion: .file())
    var device: String

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "mkdir: not implemented yet")
    }
}
