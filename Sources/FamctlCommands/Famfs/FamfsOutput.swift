// SPDX-License-Identifier: Apache-2.0
import Glibc
import ArgumentParser
import FamfsKit

/// The famfs commands' stderr lines, through the unbuffered console so messages and reports
/// appear in program order however the two streams are captured (upstream's
/// stderr-before-report surprise).
enum FamfsOutput {
    /// One `famctl: <command>: <message>` line on stderr.
    static func error(_ command: String, _ message: String) { Console.error("famctl: \(command): \(message)\n") }
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
    var sysfsRoot = HostSysfs.defaultRoot()

    @Option(name: .customLong("mount-table"), help: .hidden)
    var mountTable = MountTable.defaultPath

    static var defaultSystemUUIDFile: String {
        Environment.value("FAMCTL_SYSTEM_UUID_FILE") ?? SystemUUID.defaultPath
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
