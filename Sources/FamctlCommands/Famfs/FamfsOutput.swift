// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import FamfsKit

/// Unbuffered writes to stdout and stderr, so messages and reports appear in program order
/// however the two streams are captured (upstream's stderr-before-report surprise).
enum FamfsOutput {
    static func out(_ text: String) { write(1, text) }

    /// One `famctl: <command>: <message>` line on stderr.
    static func error(_ command: String, _ message: String) { write(2, "famctl: \(command): \(message)\n") }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            offset += count
        }
    }
}

/// Options every famfs command shares: where this host's identity and the kernel tables
/// are read from (overridable so tests and VMs can stand in their own).
struct FamfsEnvironmentOptions: ParsableArguments {
    @Option(name: .customLong("system-uuid-file"),
            help: "This host's system UUID file (env FAMCTL_SYSTEM_UUID_FILE).")
    var systemUUIDFile: String = defaultSystemUUIDFile

    /// The sysfs tree dax devices are looked up in (`FAMCTL_SYSFS_ROOT`, as for the dax
    /// commands, else /sys).
    @Option(name: .customLong("sysfs-root"), help: .hidden)
    var sysfsRoot = getenv("FAMCTL_SYSFS_ROOT").map { String(cString: $0) } ?? "/sys"

    @Option(name: .customLong("mount-table"), help: .hidden)
    var mountTable = MountTable.defaultPath

    static var defaultSystemUUIDFile: String {
        getenv("FAMCTL_SYSTEM_UUID_FILE").map { String(cString: $0) } ?? SystemUUID.defaultPath
    }

    /// Opens famfs targets through `devices` (the opener `FamfsDaxMode` hands the work).
    func volumeOpener(_ devices: any DeviceOpening) -> VolumeOpener {
        VolumeOpener(devices: devices, mountTablePath: mountTable)
    }

    /// `-M` on this command's target, on the kernel the sysfs root names.
    func daxMode(_ command: String, target: String, _ options: FamfsDaxModeOptions, kernel: DaxKernel? = nil) -> FamfsDaxMode {
        FamfsDaxMode(command: command, target: target, setDaxmode: options.setDaxmode, kernel: kernel ?? .named(byRoot: sysfsRoot))
    }
}

/// A size on the command line: decimal with an optional k/m/g/t suffix (powers of 1024).
struct SizeArgument: ExpressibleByArgument, Sendable {
    let bytes: UInt64

    init?(argument: String) {
        guard let bytes = ByteSize.parse(argument) else { return nil }
        self.bytes = bytes
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension FamfsUUID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
