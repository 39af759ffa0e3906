import ArgumentParser

struct FamfsLogplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logplay",
        abstract: "Replay the famfs metadata log into a directory tree."
    )

    @Argument(help: "Dax device or image file to replay.", completion: .file())
    var device: String

    func run() async throws {
        throw CommandFailure(exitCode: 70, message: "logplay: not implemented yet")
    }
}
