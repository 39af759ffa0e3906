import ArgumentParser

struct FamfsMkfs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkfs",
        abstract: "Format a dax device or image file as famfs."
    )

    @Argument(help: "Dax device or image file to format.", completion: .file())
    var device: String

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "mkfs: not implemented yet")
    }
}
