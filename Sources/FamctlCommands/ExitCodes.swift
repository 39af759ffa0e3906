// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import FamfsKit
import FoundationEssentials
import Glibc

/// Every exit status famctl uses, in one place. The man pages' EXIT STATUS sections list
/// the same numbers.
public enum ExitCodes {
    /// The command did what was asked.
    public static let success: Int32 = 0
    /// Command-line usage error (swift-argument-parser's code, also sysexits' EX_USAGE).
    public static let usage: Int32 = 64

    // famfs commands (mkfs, and every command that writes): refused or failed to write.
    /// The command refused (a check failed, nothing was written), e.g. mkfs over an
    /// existing superblock without --force, mkdir/creat by a host that does not own the file
    /// system, on a full log, out of space or over an existing path.
    public static let refused: Int32 = 1
    /// The target could not be opened, read or written (missing, permissions, I/O).
    public static let ioError: Int32 = 3

    // famfs fsck verdicts (upstream returns 0 for bad entries; a corrupt log must not pass).
    /// The superblock or the log header is invalid (upstream's 1); no report follows.
    public static let fsckInvalidMetadata: Int32 = 1
    /// Bad log entries or allocation collisions; the report follows.
    public static let fsckProblems: Int32 = 2
    /// The target cannot be opened or read.
    public static let fsckUnreadable: Int32 = 3

    /// The EXIT STATUS text of `famctl famfs fsck --help`.
    static let fsckStatusHelp = """
        Exit status: \(success) clean; \(fsckInvalidMetadata) invalid superblock or log header; \
        \(fsckProblems) problems in log entries (logplay's refusals included) or allocation (each \
        printed as one line naming the entry index, path and problem); \(fsckUnreadable) the target cannot be opened or read; \
        \(usage) usage error. \(daxModeStatusHelp)
        """

    /// What -M adds to every famfs command's exit status.
    static let daxModeStatusHelp = """
        With -M: \(dax(errno: EBUSY)) a process holds the device or it is mounted (nothing \
        changed) or a driver did not unbind; the other reconfigure-device codes when a switch fails.
        """

    /// The EXIT STATUS text of famfs commands that write (mkfs, mkdir, creat).
    static let writerStatusHelp = """
        Exit status: \(success) done; \(refused) refused (nothing written); \(ioError) the target \
        cannot be opened, read or written; \(usage) usage error. \(daxModeStatusHelp)
        """

    /// famfs logplay, like upstream, exits with its number of errors; capped below `usage`.
    static func logplay(errors: Int) -> Int32 { Int32(min(errors, 63)) }

    /// The EXIT STATUS text of `famctl famfs logplay --help`.
    static let logplayStatusHelp = """
        Exit status: \(success) every entry replayed or already present; 1-63 the number of \
        errors (bad log entries, files, directories and shadow YAML checks that failed, each \
        printed; capped at 63) — 1 also when the superblock or log header is invalid; \
        \(ioError) the target or DIR cannot be opened, or the log cannot be read; \(usage) usage error. \(daxModeStatusHelp)
        """

    /// The errnos whose daxctl status dax commands exit with. Dax commands keep daxctl's
    /// convention, 256 − errno, so scripts written for daxctl keep working: 161 EOPNOTSUPP
    /// (unremovable block, dax-class model, static region), 228 ENOSPC, 234 EINVAL, 237 ENODEV
    /// (driver not in this kernel), 240 EBUSY (auto-online policy, memory online, a driver that
    /// did not unbind), 243 EACCES (not root, attributes unreadable), 250 ENXIO (no such device,
    /// wrong mode for the operation, a bind that did not take, device active), 251 EIO, 254
    /// ENOENT (the sysfs root or an attribute missing). The man pages list exactly these.
    public static let daxErrnos: [Int32] = [
        EOPNOTSUPP, ENOSPC, EINVAL, ENODEV, EBUSY, EACCES, ENXIO, EIO, ENOENT,
    ]

    /// Every status a dax command can exit with.
    public static var daxStatuses: [Int32] { [success, usage] + daxErrnos.map(dax) }

    /// The status for a dax failure with `errno`. Any errno outside `daxErrnos` (whatever else
    /// the kernel or a file system returns for a sysfs operation, a symbolic link refused)
    /// exits as EIO, 251; its message still gives its own text.
    public static func dax(errno: Int32) -> Int32 { 256 - (daxErrnos.contains(errno) ? errno : EIO) }

    /// Prints `error` the way a user can act on it and exits with its code.
    static func exit(for error: Error) -> Never {
        if let code = code(for: error) {
            let lines = (error as? DaxError)?.lines ?? ["\(error)"]
            for line in lines where !line.isEmpty {
                Console.error("famctl: \(line)\n")
            }
            Glibc.exit(code)
        }
        // Help, version, validation and parse errors: argument-parser prints and picks the code.
        Famctl.exit(withError: error)
    }

    /// The exit status for a failure that is not argument-parser's own, or nil.
    static func code(for error: Error) -> Int32? {
        switch error {
        case let failure as CommandFailure:
            return failure.exitCode
        case let failure as DaxError:
            return dax(errno: failure.errno)
        case let error as VolumeError:
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
