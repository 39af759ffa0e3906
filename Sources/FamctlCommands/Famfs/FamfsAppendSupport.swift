// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamfsKit
import Glibc

/// `-u/-g`: the owner recorded in the entries, the caller's effective ids by default.
struct OwnerOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Owner uid (default: the caller's); decimal, 0x hex or 0 octal, as upstream reads it (010 is 8).", valueName: "uid"))
    var uid: CInteger<UInt32>?

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Owner gid (default: the caller's), written as the uid is.", valueName: "gid"))
    var gid: CInteger<UInt32>?

    func owner(mode: UInt32) -> EntryPlanner.Owner {
        EntryPlanner.Owner(mode: mode, uid: uid?.value ?? geteuid(), gid: gid?.value ?? getegid())
    }
}

/// A number in upstream's grammar for numeric options (`CNumber`: 010 is 8, 0x10 is 16).
struct CInteger<Value: FixedWidthInteger & UnsignedInteger & Sendable>: ExpressibleByArgument, Sendable {
    let value: Value

    init?(argument: String) {
        guard let parsed = CNumber.parse(argument), let value = Value(exactly: parsed) else { return nil }
        self.value = value
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A permission mode in octal digits (`0644`, `755`, `4755`), 0 to 07777: the permission
/// bits and the setuid (04000), setgid (02000) and sticky (01000) bits, which upstream
/// logs as given too.
struct OctalMode: ExpressibleByArgument {
    let bits: UInt32

    init?(argument: String) {
        guard argument.allSatisfy({ ("0"..."7").contains($0) }), let bits = UInt32(argument, radix: 8), bits <= 0o7777
        else { return nil }
        self.bits = bits
    }

    var defaultValueDescription: String { "0" + String(bits, radix: 8) }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// Validates each path given on the command line (a usage error names the bad one).
func validatedPaths(_ paths: [String]) throws -> [[UInt8]] {
    try paths.map { path in
        do throws(PathError) { return try FamfsPath.validate(bytes: commandLineBytes(of: path)) } catch {
            throw ValidationError(error.description)
        }
    }
}

/// The bytes given on the command line for `argument`. Swift decodes argv with U+FFFD in
/// place of bytes that are not UTF-8, so the decoded text would log another name than the
/// one typed; the raw argument lets the byte rule see (and name) what was really given.
private func commandLineBytes(of argument: String) -> [UInt8] {
    guard argument.unicodeScalars.contains("\u{FFFD}") else { return Array(argument.utf8) }
    for index in 0..<Int(CommandLine.argc) {
        guard let raw = CommandLine.unsafeArgv[index] else { continue }
        let bytes = Array(UnsafeBufferPointer(start: raw, count: strlen(raw))).map { UInt8(bitPattern: $0) }
        if String(decoding: bytes, as: UTF8.self) == argument { return bytes }
    }
    return Array(argument.utf8)
}

enum FamfsAppendSession {
    #if DEBUG
    /// Environment variable of debug builds (the ones the tests run; the shipped release build
    /// has none, scripts/test-package.sh checks): `FAMCTL_TEST_CRASH_AT_STEP=k` makes the
    /// process `_exit(86)` right after the k-th step of the append (1-based: each entry
    /// written, the entries flushed, the header advanced, the header flushed), simulating a
    /// crash there.
    static let crashVariable = "FAMCTL_TEST_CRASH_AT_STEP"
    static let crashExitStatus: Int32 = 86
    #endif

    /// Opens `target` for appending (exclusive lock for the whole session), checks that this
    /// host owns it, lets `plan` build entries against the log's namespace and allocator, and
    /// appends them as one batch. Returns the planner for reporting.
    static func run(
        target: String, environment: FamfsEnvironmentOptions, devices: any DeviceOpening, plan: (inout EntryPlanner) throws -> Void
    ) throws -> EntryPlanner {
        let log = try OpenedLog(path: target, access: .append, opener: environment.volumeOpener(devices))
        let uuidFile = environment.systemUUIDFile
        try log.requireOwner(systemUUID: SystemUUID.read(uuidFile), systemUUIDPath: uuidFile)
        try log.requireFreeSlot()
        var planner = try EntryPlanner(log: log)
        do { try plan(&planner) } catch let error as PlanError {
            // The planner knows paths, not the target: the message names both.
            throw CommandError.famfs(error.kind, "\(log.volume.path): \(error)")
        }
        try log.append(planner.bodies, hook: crashHook())
        return planner
    }

    private static func crashHook() -> (OpenedLog.AppendStep) -> Void {
        #if DEBUG
        guard let text = Environment.value(crashVariable), let target = Int(text) else { return { _ in } }
        var step = 0
        return { _ in
            step += 1
            if step == target { _exit(crashExitStatus) }
        }
        #else
        return { _ in }
        #endif
    }

    /// The caller's umask, which upstream applies to file modes.
    static var umask: UInt32 { UInt32(Syscall.currentUmask()) }
}
