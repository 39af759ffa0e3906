import ArgumentParser

struct FamfsCreat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "creat",
        abstract: "Create and allocate files in a famfs file system."
    )

    @Argument(help: "Dax device or image file holding the file system.", completion: .file())
    var device: String

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "creat: not implemented yet")
    }
}
