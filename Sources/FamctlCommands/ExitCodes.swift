// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import FamfsKit
import FoundationEssentials
import Glibc

/// Every exit status famctl uses, and the one place that decides which one a failure gets
/// (`code(for:command:)`). The help texts and the man pages' EXIT STATUS lists are made from
/// `table(_:)` (scripts/gen-docs.sh, Sources/famctl-mangen), so they cannot drift from it.
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

    /// famfs logplay, like upstream, exits with its number of errors; capped below `usage`.
    static func logplay(errors: Int) -> Int32 { Int32(min(errors, logplayErrorCap)) }
    static let logplayErrorCap = 63

    /// The errnos whose daxctl status dax commands exit with. Dax commands keep daxctl's
    /// convention, 256 − errno, so scripts written for daxctl keep working. The man pages list
    /// exactly these (`table(.dax)`).
    public static let daxErrnos: [Int32] = [
        EOPNOTSUPP, ENOSPC, EINVAL, ENODEV, EBUSY, EACCES, ENXIO, EIO, ENOENT,
    ]

    /// Every status a dax command can exit with.
    public static var daxStatuses: [Int32] { [success, usage] + daxErrnos.map(dax) }

    /// The status for a dax failure with `errno`. Any errno outside `daxErrnos` (whatever else
    /// the kernel or a file system returns for a sysfs operation, a symbolic link refused)
    /// exits as EIO, 251; its message still gives its own text.
    public static func dax(errno: Int32) -> Int32 { 256 - (daxErrnos.contains(errno) ? errno : EIO) }

    /// How help texts cite a dax status: "250, ENXIO".
    static func cite(_ errno: Int32) -> String { "\(dax(errno: errno)), \(errnoName(errno))" }

    /// The symbolic name of one of `daxErrnos`.
    static func errnoName(_ errno: Int32) -> String {
        switch errno {
        case EOPNOTSUPP: "EOPNOTSUPP"
        case ENOSPC: "ENOSPC"
        case EINVAL: "EINVAL"
        case ENODEV: "ENODEV"
        case EBUSY: "EBUSY"
        case EACCES: "EACCES"
        case ENXIO: "ENXIO"
        case EIO: "EIO"
        case ENOENT: "ENOENT"
        default: "errno \(errno)"
        }
    }

    // MARK: the decision

    /// The commands that share one EXIT STATUS table.
    public enum Family: String, CaseIterable, Sendable {
        /// list, reconfigure-device, … (daxctl's statuses).
        case dax
        /// famfs mkfs, mkdir, creat.
        case famfsWriter = "famfs"
        case fsck
        case logplay
        /// What -M adds to every famfs command.
        case famfsMode = "famfs-mode"

        init(_ command: any ParsableCommand.Type) {
            switch command {
            case is FamfsFsck.Type: self = .fsck
            case is FamfsLogplay.Type: self = .logplay
            case is FamfsMkfs.Type, is FamfsMkdir.Type, is FamfsCreat.Type: self = .famfsWriter
            default: self = .dax
            }
        }
    }

    /// The exit status of `command` failing with `error`, or nil for argument-parser's own
    /// errors (help, version, validation), whose code argument-parser picks.
    static func code(for error: Error, command: any ParsableCommand.Type) -> Int32? {
        switch error {
        case let error as CommandError: return commandCode(error, command)
        case let error as DaxError: return dax(errno: error.errno)
        case let error as FamfsClassified: return famfsCode(error.kind, command)
        default: return nil
        }
    }

    /// `code(for:command:)` of an error that always has a status.
    static func code(for error: CommandError, command: any ParsableCommand.Type) -> Int32 { commandCode(error, command) }

    static func code(for error: any FamfsClassified, command: any ParsableCommand.Type) -> Int32 { famfsCode(error.kind, command) }

    private static func commandCode(_ error: CommandError, _ command: any ParsableCommand.Type) -> Int32 {
        switch error {
        case .usage: return usage
        case .dax(let errno, _): return dax(errno: errno)
        case .famfs(let kind, _): return famfsCode(kind, command)
        case .fsckProblems: return fsckProblems
        case .logplayErrors(let count): return logplay(errors: count)
        case .daxReported(let cause): return dax(errno: cause.errno)
        case .famfsReported(let cause): return famfsCode(cause.kind, command)
        }
    }

    private static func famfsCode(_ kind: FamfsFailureKind, _ command: any ParsableCommand.Type) -> Int32 {
        switch (kind, Family(command)) {
        case (.io, .fsck): return fsckUnreadable
        case (.invalidMetadata, .fsck): return fsckInvalidMetadata
        case (.io, _): return ioError
        case (.refused, _), (.invalidMetadata, _): return refused
        }
    }

    /// Prints `error` the way a user can act on it and exits with the status `command` gets.
    static func exit(for error: Error, command: any ParsableCommand.Type) -> Never {
        if let code = code(for: error, command: command) {
            let lines = (error as? DaxError)?.lines ?? ["\(error)"]
            for line in lines where !line.isEmpty {
                Console.error("famctl: \(line)\n")
            }
            Glibc.exit(code)
        }
        // Help, version, validation and parse errors: argument-parser prints and picks the code.
        Famctl.exit(withError: error)
    }

    // MARK: the table

    /// One status of a family: `code` (to `last` for a range), a short `summary` for help
    /// texts and the `meaning` the man page gives.
    public struct Status: Sendable {
        public let code: Int32
        public let last: Int32?
        public let summary: String
        public let meaning: String

        init(_ code: Int32, through last: Int32? = nil, _ summary: String, meaning: String? = nil) {
            self.code = code
            self.last = last
            self.summary = summary
            self.meaning = meaning ?? summary
        }

        /// The code, or the range ("1-63"), as help texts write it.
        var label: String { last.map { "\(code)-\($0)" } ?? "\(code)" }
    }

    /// The statuses of `family`, in order.
    public static func table(_ family: Family) -> [Status] {
        switch family {
        case .dax: return daxTable
        case .famfsWriter:
            return [
                Status(success, "done", meaning: "Success."),
                Status(refused, "refused (nothing written)", meaning: """
                    Refused, and nothing was written: not a valid famfs file system, this host is not its owner, the \
                    path exists or its parent is missing, the log is full, no space left; for mkfs, an existing file \
                    system or another signature without --force, a device too small or a log that does not fit. \
                    The message names the device or image, the path and the reason.
                    """),
                Status(ioError, "the target cannot be opened, read or written", meaning: """
                    The device, the image or a file could not be opened, read or written, or is not one famfs can be \
                    on (missing, a directory, not a dax device, a dax device not in devdax mode; the same status in \
                    every famfs command), nothing was appended, and the message names it, for example 'cannot write IMAGE: \
                    No space left on device' when the file system holding a sparse image is full (the blocks for new \
                    log entries are reserved before any is written), or a bus error when the image was truncated or \
                    the device went away while in use.
                    """),
                Status(usage, "usage error", meaning: "Usage error."),
            ]
        case .fsck:
            return [
                Status(success, "clean", meaning: "The file system is clean (unknown entry types only produce a warning)."),
                Status(fsckInvalidMetadata, "invalid superblock or log header", meaning: """
                    The superblock or log header is invalid (magic, CRC, allocation unit, version); no report.
                    """),
                Status(fsckProblems, """
                    problems in log entries (logplay's refusals included) or allocation (each printed as one line \
                    naming the entry index, path and problem)
                    """, meaning: """
                    Errors were found: allocation collisions, bad log entries, or entries logplay would refuse; each \
                    is one line on standard error, and the report follows.
                    """),
                Status(fsckUnreadable, "the target cannot be opened or read", meaning: """
                    The device or image cannot be opened or read, including an image truncated or a device that went \
                    away while fsck reads it (the message names it; never a signal).
                    """),
                Status(usage, "usage error", meaning: "Usage error, including -h with a target."),
            ]
        case .logplay:
            return [
                Status(success, "every entry replayed or already present",
                       meaning: "Every entry was replayed (or, in a dry run, would be)."),
                Status(1, through: Int32(logplayErrorCap), """
                    the number of errors (bad log entries, files, directories and shadow YAML checks that failed, each \
                    printed; capped at 63) — 1 also when the superblock or log header is invalid
                    """, meaning: """
                    The number of errors, as upstream (capped at 63): bad log entries, files, directories and shadow \
                    YAML checks that failed, each reported; the other entries were replayed. 1 also when the \
                    superblock or log header is invalid.
                    """),
                Status(ioError, "the target or DIR cannot be opened, or the log cannot be read", meaning: """
                    The device, the image or the target directory could not be opened, or the log could not be read \
                    (an image truncated or a device that went away while logplay reads it; the message names it, \
                    never a signal).
                    """),
                Status(usage, "usage error", meaning: """
                    Usage error, including a directory given as a second operand (famfs users' 'logplay IMAGE DIR'): \
                    the message names --into.
                    """),
            ]
        case .famfsMode:
            return [
                Status(dax(errno: EBUSY), "a process holds the device or it is mounted (nothing changed) or a driver did not unbind",
                       meaning: "EBUSY: a process holds the device or it is mounted (nothing changed), or a driver did not unbind."),
                Status(dax(errno: ENXIO), "a bind that did not take", meaning: "ENXIO: a bind that did not take."),
                Status(dax(errno: ENODEV), "no fsdev_dax driver", meaning: "ENODEV: no fsdev_dax driver."),
                Status(dax(errno: EACCES), "not root", meaning: "EACCES: not root."),
            ]
        }
    }

    private static let daxTable: [Status] = [
        Status(success, "success", meaning: "Success, including a device that already was in the requested state."),
        Status(usage, "usage error", meaning: """
            Usage error: unknown option, missing device argument, invalid mode or size, incompatible options. \
            Nothing was changed.
            """),
        daxStatus(EOPNOTSUPP, "the device uses the legacy dax-class model and cannot change mode"),
        daxStatus(ENOSPC, "the region has no space left"),
        daxStatus(EINVAL, "the kernel rejected a value (size or alignment)"),
        daxStatus(ENODEV, "the driver for the requested mode is not loaded"),
        daxStatus(EBUSY, """
            the device or its memory is in use: a process has it open or mapped or a file system is mounted from it \
            (nothing was changed; each holder is named, see BUSY DEVICES in the reconfigure-device page), memory \
            that cannot be offlined, a bound device that must be disabled first
            """),
        daxStatus(EACCES, "a command that changes devices was run without root, or an attribute is unreadable"),
        daxStatus(ENXIO, "no dax device matches the argument, or the operation does not apply to the device's mode"),
        daxStatus(EIO, """
            any other failure of a sysfs read or write; the message names the file and gives the error's text (for \
            example 'Is a directory'). This includes an attribute that is a symbolic link, or a write whose path \
            passes through a linked directory, in a --sysfs-root tree: real sysfs has no such links, and famctl \
            does not follow them. Where daxctl exits with 256 minus such an errno, famctl exits 251
            """),
        daxStatus(ENOENT, """
            the sysfs root (--sysfs-root or FAMCTL_SYSFS_ROOT) does not exist or is not a sysfs tree: it is not a \
            mounted sysfs and has neither bus/dax nor devices/system/memory, or an attribute famctl needs is missing
            """),
    ]

    private static func daxStatus(_ errno: Int32, _ meaning: String) -> Status {
        Status(dax(errno: errno), errnoName(errno), meaning: "\(errnoName(errno)): \(meaning).")
    }

    /// "Exit status: 0 clean; 1 …; 64 usage error. With -M: …" for a famfs command's help.
    static func help(_ family: Family) -> String {
        let busy = table(.famfsMode)[0]
        return "Exit status: " + table(family).map { "\($0.label) \($0.summary)" }.joined(separator: "; ")
            + ". With -M: \(busy.label) \(busy.summary); the other reconfigure-device codes when a switch fails."
    }
}

/// A failure the command layer finds itself (the libraries' errors carry their own
/// classification); `ExitCodes.code(for:command:)` gives each its status.
enum CommandError: Error, CustomStringConvertible {
    /// A usage error found after parsing.
    case usage(String)
    /// A dax command's own failure with the errno daxctl would give (not root, no context).
    case dax(errno: Int32, String)
    /// A famfs command's own failure (a manifest that cannot be read, a plan refused).
    case famfs(FamfsFailureKind, String)
    /// fsck found problems; its report is printed.
    case fsckProblems
    /// logplay's errors; each is printed.
    case logplayErrors(Int)
    /// `cause`, already printed by the command (with its per-device lines, its report or its
    /// JSON): its status, no message.
    case daxReported(DaxError)
    case famfsReported(any FamfsClassified)

    var description: String {
        switch self {
        case .usage(let message), .dax(_, let message), .famfs(_, let message): return message
        case .fsckProblems, .logplayErrors, .daxReported, .famfsReported: return ""
        }
    }
}
