// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import FamfsKit
import Glibc

/// `-M/--set-daxmode`, upstream famfs's option: the command ends with the device in famfs mode.
struct FamfsDaxModeOptions: ParsableArguments {
    @Flag(name: [.customShort("M"), .customLong("set-daxmode")],
          help: "Dax device in famfs mode: switch it to devdax, do the work, switch it back to famfs (devdax device: switch it to famfs afterwards). Refused (\(ExitCodes.dax(errno: EBUSY))) while a process holds the device or it is mounted.")
    var setDaxmode = false
}

/// The kernel a famfs command switches modes on: the host's (libdaxctl backend) or a tree
/// (sysfs backend); tests give the simulated one.
struct DaxKernel {
    var sysfs: Sysfs
    var procfs: Procfs
    /// The sysfs root, for the stand-in rule and for printing planned writes.
    var root: String
    var binding: ((SysfsWriter) -> DriverBinding)?

    /// The kernel named by a sysfs root (`--sysfs-root`, `FAMCTL_SYSFS_ROOT`, `/sys`).
    static func named(byRoot root: String) -> DaxKernel {
        let sysfs = HostSysfs(root: root)
        return DaxKernel(sysfs: sysfs, procfs: DaxGlobalOptions.procfs(forSysfsRoot: sysfs.root), root: sysfs.root,
                         binding: sysfs.isHostRoot ? { LibDaxctlBinding(writer: $0) } : nil)
    }

    var isHost: Bool { HostSysfs(root: root).isHostRoot }
}

/// Runs a famfs command on a dax device whatever its mode: in famfs mode the kernel gives no
/// access to the media (read EINVAL, mmap ENODEV), so without `-M` the command is refused
/// through its own open path (and exit status); with `-M` the device goes to devdax for the
/// work and back to famfs after it, each switch behind the busy-device guard. A switch that
/// fails is rolled back by DaxKit, and every error says which mode the device is left in.
struct FamfsDaxMode {
    /// "mkfs", "fsck", … for the messages.
    let command: String
    let target: String
    let setDaxmode: Bool
    let kernel: DaxKernel

    /// A regular file `M/dev/daxX.Y` stands for the char device daxX.Y when the sysfs root is
    /// `M/sys` (a machine tree; never on the host): tests and captured machines format an
    /// image where the device would be.
    func standInName() -> String? {
        guard !kernel.isHost, let machine = SysfsPath.machineDirectory(ofRoot: kernel.root),
            let directory = Syscall.realPath(SysfsPath.parent(target.hasPrefix("/") ? target : "./" + target)),
            directory == Syscall.realPath(machine + "/dev")
        else { return nil }
        return SysfsPath.basename(target)
    }

    /// The dax device `target` is, or nil (an image, a block device, a path in a mount).
    func device() -> DaxDevice? {
        guard case .success(let info) = Syscall.status(target) else { return nil }
        let name: String
        switch info.st_mode & S_IFMT {
        case S_IFCHR:
            guard let link = kernel.sysfs.readLink("dev/char/\(DeviceNumber(rdev: UInt64(info.st_rdev)))") else { return nil }
            name = SysfsPath.basename(link)
        case S_IFREG:
            guard let standIn = standInName() else { return nil }
            name = standIn
        default:
            return nil
        }
        guard DaxDevice.parseName(name) != nil else { return nil }
        return DaxDiscovery(sysfs: kernel.sysfs).regions { $0 == name }.flatMap(\.devices).first { $0.name == name }
    }

    /// Runs `work` with the opener it must open `target` through. `dryRun` (mkfs): the
    /// switches are planned and printed, not made.
    func run(dryRun: Bool = false, _ work: (any DeviceOpening) throws -> Void) throws {
        let opener = DeviceOpener(sysfs: kernel.sysfs)
        guard let device = device() else {
            if setDaxmode {
                throw CommandError.usage("\(command): -M/--set-daxmode switches the mode of a dax device; \(target) is not one (expected /dev/daxX.Y)")
            }
            return try work(opener)
        }
        let refusal = Refusal(error: .wrongMode(device: device.name, mode: DaxMode.name(ofDriver: device.state.driver)),
                              target: target, opener: opener)
        guard setDaxmode else { return try work(device.state == .bound(.devdax) ? opener : refusal) }
        var devdax = device
        switch device.state {
        case .bound(.devdax):
            // The checks of the switch after the work (root, fsdev_dax, the busy guard) run
            // before it: a refusal then leaves the device as it was, the work not done.
            try HostRootCheck.require(kernel, dryRun: dryRun)
            _ = try controller(dryRun: true).reconfigure(device, ReconfigureOptions(mode: .famfs))
        case .bound(.famfs):
            try change(device, to: .devdax, dryRun: dryRun, after: nil)
            devdax.state = .bound(.devdax)
        default: return try work(refusal)
        }
        if dryRun && device.state == .bound(.famfs) {
            FamfsOutput.error(command, "dry run: \(device.name) cannot be read in famfs mode; the \(command) checks its content only after the switch")
        } else {
            do {
                try work(opener)
            } catch {
                // The command ends in famfs mode even when the work failed.
                do {
                    try change(devdax, to: .famfs, dryRun: dryRun, after: nil)
                } catch let failure as DaxError {
                    failure.lines.forEach { FamfsOutput.error(command, $0) }
                }
                throw error
            }
        }
        try change(devdax, to: .famfs, dryRun: dryRun, after: "the \(command)")
    }

    /// Switches `device` to `mode` (dry run: prints the writes). `after` names the work done
    /// before a switch to famfs, for the error when that switch fails.
    private func change(_ device: DaxDevice, to mode: DaxMode, dryRun: Bool, after work: String?) throws {
        try HostRootCheck.require(kernel, dryRun: dryRun)
        let controller = controller(dryRun: dryRun)
        let from = device.state.label
        do throws(DaxError) {
            _ = try controller.reconfigure(device, ReconfigureOptions(mode: mode))
        } catch {
            guard let work else { throw error }
            throw DaxError.interrupted(error, state: "\(device.name) stays in devdax mode: \(work) is done but \(device.name) was not switched "
                + "to famfs; run 'famctl reconfigure-device -m famfs \(device.name)' once that is mended")
        }
        if dryRun {
            FamfsOutput.error(command, "dry run: would switch \(device.name) from \(from) to \(mode.rawValue) mode:")
            controller.writer.writes.forEach { FamfsOutput.error(command, "  " + $0.command(root: kernel.root)) }
        } else {
            FamfsOutput.error(command, "\(device.name): switched from \(from) to \(mode.rawValue) mode")
        }
    }

    private func controller(dryRun: Bool) -> DaxController {
        DaxController(sysfs: kernel.sysfs, procfs: kernel.procfs, dryRun: dryRun, binding: kernel.binding)
    }
}

/// A device the command cannot work on: the work runs with an opener that refuses `target`,
/// so the refusal takes the command's own path for a device that cannot be opened (its
/// message, JSON and exit status) and nothing is written.
private struct Refusal: DeviceOpening {
    let error: DeviceError
    let target: String
    let opener: DeviceOpener

    func open(_ path: String, writable: Bool) throws(DeviceError) -> FamfsDevice {
        if path == target { throw error }
        return try opener.open(path, writable: writable)
    }
}

/// Switching the host's devices needs root, as for reconfigure-device.
enum HostRootCheck {
    static func require(_ kernel: DaxKernel, dryRun: Bool) throws {
        guard kernel.isHost else { return }
        try DaxGlobalOptions.requireRoot(HostSysfs(root: kernel.root), dryRun: dryRun)
    }
}
