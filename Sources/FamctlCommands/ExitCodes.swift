import ArgumentParser
import FamfsKit
import Foundation

/// Every exit status famctl uses, in one place. The man pages' EXIT STATUS sections list
/// the same numbers.
public enum ExitCodes {
    /// The command did what was asked.
    public static let success: Int32 = 0
    /// The command refused: invalid file system, not the owner host, path exists, log full,
    /// out of space, bad manifest line.
    public static let refused: Int32 = 1
    /// The device, image or a file could not be opened, read, written or flushed.
    public static let ioError: Int32 = 3
    /// Command-line usage error (swift-argument-parser's code, also sysexits' EX_USAGE).
    public static let usage: Int32 = 64

    /// logplay, like upstream, exits with its number of errors; capped below `usage`.
    static func logplay(errors: Int) -> Int32 { Int32(min(errors, 63)) }

    /// Prints `error` the way a user can act on it and exits with its code.
    static func exit(for error: Error) -> Never {
        if let code = code(for: error) {
            let message = "\(error)"
            if !message.isEmpty {
                FileHandle.standardError.write(Data("famctl: \(message)\n".utf8))
            }
            Foundation.exit(code)
        }
        // Help, version, validation and parse errors: argument-parser prints and picks the code.
        Famctl.exit(withError: error)
    }

    /// The exit status for a failure that is not argument-parser's own, or nil.
    static func code(for error: Error) -> Int32? {
        switch error {
        case let failure as CommandFailure:
            return failure.exitCode
        case let error as LogOpenError:
            if case .device = error { return ioError }
            return refused
        case let error as AppendError:
            if case .io = error { return ioError }
            return refused
        case is ReplayTreeError:
            return ioError
        case is PlanError, is ManifestError:
            return refused
        default:
            return nil
        }
    }
}

/// A failure of a command whose exit status was already decided by the command (fsck's
/// verdicts, daxctl-style errno codes). The message may be empty when the command has
/// printed its own report.
struct CommandFailure: Error, CustomStringConvertible {
    let exitCode: Int32
    let message: String

    var description: String { message }
}
