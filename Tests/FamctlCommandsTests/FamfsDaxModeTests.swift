// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import DaxSimulator
import FamctlTestSupport
import FamfsKit
import Foundation
import Testing
@testable import FamctlCommands
import Glibc

/// A machine directory for famfs on a dax device: `M/dev/dax0.0` is an 8 GiB image that
/// stands for the device (the root is `M/sys`), and the simulated kernel has dax0.0 in
/// `start` mode. The commands run in-process on that kernel.
final class DaxMachine {
    let scratch: Scratch
    let kernel: SimulatedKernel
    let image: String

    init(_ start: DaxMode = .famfs) throws {
        scratch = try Scratch()
        kernel = SimulatedKernel.hmem()
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/m/dev", withIntermediateDirectories: true)
        image = try scratch.file("m/dev/dax0.0", size: 8 << 30)
        if start == .famfs {
            try kernel.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
            try kernel.write("bus/dax/drivers/fsdev_dax/new_id", "dax0.0")
        }
    }

    var root: String { "\(scratch.path)/m/sys" }
    var driver: String? { kernel.driver(of: "dax0.0") }
    var uuid: [String] { ["--system-uuid-file", scratch.systemUUIDFile] }
    func digest() throws -> UInt { try Scratch.digest(image) }

    /// The kernel as the commands see it; `binding` stands for libdaxctl's.
    func daxKernel(binding: ((SysfsWriter) -> DriverBinding)? = nil) -> DaxKernel {
        DaxKernel(sysfs: kernel, procfs: kernel, root: root, binding: binding)
    }

    /// `famctl famfs COMMAND ARGUMENTS…` in-process; the error it throws, if any.
    @discardableResult
    /// The command type of a famfs subcommand name, for its exit status.
    static func type(_ command: String) -> any ParsableCommand.Type {
        switch command {
        case "mkfs": FamfsMkfs.self
        case "fsck": FamfsFsck.self
        case "logplay": FamfsLogplay.self
        case "mkdir": FamfsMkdir.self
        default: FamfsCreat.self
        }
    }

    func famfs(_ command: String, _ arguments: [String], binding: ((SysfsWriter) -> DriverBinding)? = nil) -> Error? {
        do {
            let kernel = daxKernel(binding: binding)
            switch command {
            case "mkfs": try FamfsMkfs.parse(uuid + FamfsMkfsCommandTests.referenceOptions + arguments).run(kernel: kernel)
            case "fsck": try FamfsFsck.parse(uuid + arguments).run(kernel: kernel)
            case "logplay": try FamfsLogplay.parse(uuid + arguments).run(kernel: kernel)
            case "mkdir": try FamfsMkdir.parse(uuid + arguments).run(kernel: kernel)
            default: try FamfsCreat.parse(uuid + arguments).run(kernel: kernel)
            }
            return nil
        } catch {
            return error
        }
    }

    /// The paths of the writes made so far (`bus/dax/drivers/` dropped).
    var writes: [String] { kernel.writeLog.map { $0.write.path.replacingOccurrences(of: "bus/dax/drivers/", with: "") } }
}

@Suite(.serialized) struct FamfsDaxModeTests {
    static let toDevdax = ["fsdev_dax/remove_id", "fsdev_dax/unbind", "device_dax/new_id", "device_dax/bind"]
    static let toFamfs = ["device_dax/remove_id", "device_dax/unbind", "fsdev_dax/new_id", "fsdev_dax/bind"]
    /// The writes `DaxMachine(.famfs)` made to get there.
    static let setup = 2

    /// The arguments of each command after the target's place.
    static func arguments(_ command: String, _ machine: DaxMachine) -> [String] {
        switch command {
        case "mkfs": return [machine.image]
        case "fsck": return [machine.image]
        case "logplay": return ["-n", machine.image]
        case "mkdir": return [machine.image, "dir1"]
        default: return ["-s", "3m", machine.image, "file1"]
        }
    }

    static let commands = ["mkfs", "fsck", "logplay", "mkdir", "creat"]

    /// Each command on a famfs-mode device with -M: famfs → devdax, the work, devdax →
    /// famfs; the files are in the image afterwards.
    @Test func everyCommandWorksOnAFamfsModeDeviceAndLeavesItInFamfsMode() throws {
        let machine = try DaxMachine()
        for command in Self.commands {
            let before = machine.writes.count
            let error = machine.famfs(command, ["-M"] + Self.arguments(command, machine))
            #expect(error == nil, "\(command): \(String(describing: error))")
            #expect(Array(machine.writes.dropFirst(before)) == Self.toDevdax + Self.toFamfs, "\(command)")
            #expect(machine.driver == DaxDriver.fsdevDax)
        }
        let check = try FamctlBinary.run(["famfs", "fsck"] + machine.uuid + [machine.image])
        #expect(check.status == 0 && check.stdout.contains("  1 files\n  1 directories\n"), "\(check.stdout)")
    }

    /// Without -M each command refuses through its own open path and exit status, naming
    /// both ways out; nothing is written to the kernel or the image.
    @Test(arguments: [("mkfs", ExitCodes.ioError), ("fsck", ExitCodes.fsckUnreadable), ("logplay", ExitCodes.ioError),
                      ("mkdir", ExitCodes.ioError), ("creat", ExitCodes.ioError)])
    func withoutTheOptionAFamfsModeDeviceIsRefused(command: String, status: Int32) throws {
        let machine = try DaxMachine()
        #expect(machine.famfs("mkfs", ["-M", machine.image]) == nil)
        let digest = try machine.digest()
        let writes = machine.writes.count
        let error = try #require(machine.famfs(command, Self.arguments(command, machine)))
        #expect(ExitCodes.code(for: error, command: DaxMachine.type(command)) == status)
        if let volume = error as? VolumeError { #expect("\(volume)" == "\(Self.refusal)") }
        #expect(try machine.writes.count == writes && machine.driver == DaxDriver.fsdevDax && (machine.digest()) == digest)
    }

    static let refusal = DeviceError.wrongMode(device: "dax0.0", mode: "famfs")

    @Test func theRefusalNamesBothWaysOut() {
        #expect("\(Self.refusal)" == "dax0.0 is in famfs mode, where the kernel gives no access to its media; add -M/--set-daxmode "
            + "to switch it to devdax for the command and back to famfs, or switch it yourself (famctl reconfigure-device -m devdax dax0.0)")
    }

    @Test func mkfsOnADevdaxDeviceFormatsThenSwitchesToFamfs() throws {
        let machine = try DaxMachine(.devdax)
        #expect(machine.famfs("mkfs", ["-M", machine.image]) == nil)
        #expect(machine.writes == Self.toFamfs && machine.driver == DaxDriver.fsdevDax)
        #expect(try FamctlBinary.run(["famfs", "fsck"] + machine.uuid + [machine.image]).status == 0)
        // Without -M a devdax device is formatted and stays devdax.
        let plain = try DaxMachine(.devdax)
        #expect(plain.famfs("mkfs", [plain.image]) == nil)
        #expect(plain.writes.isEmpty && plain.driver == DaxDriver.deviceDax)
    }

    @Test func theLibdaxctlBackendMakesTheSameSwitches() throws {
        let machine = try DaxMachine()
        // A binding with a writer of its own, as libdaxctl acts outside famctl's writer.
        let binding: (SysfsWriter) -> DriverBinding = { [kernel = machine.kernel] _ in SysfsDriverBinding(writer: SysfsWriter(sysfs: kernel, dryRun: false)) }
        #expect(machine.famfs("mkfs", ["-M", machine.image], binding: binding) == nil)
        #expect(Array(machine.writes.dropFirst(Self.setup)) == Self.toDevdax + Self.toFamfs && machine.driver == DaxDriver.fsdevDax)
        machine.kernel.holdOpen("dax0.0", pid: 1240, command: "sleep")
        let error = machine.famfs("mkdir", ["-M", machine.image, "d"], binding: binding)
        #expect(ExitCodes.code(for: try #require(error), command: FamfsMkdir.self) == 240)
        #expect(machine.writes.count == Self.setup + 8)
    }

    /// A holder refuses -M before any switch: 240, nothing written, the image unchanged.
    @Test(arguments: commands)
    func aHolderRefusesBeforeAnySwitch(command: String) throws {
        let machine = try DaxMachine()
        #expect(machine.famfs("mkfs", ["-M", machine.image]) == nil)
        machine.kernel.holdMapped("dax0.0", pid: 1234, command: "holdmap")
        let digest = try machine.digest()
        let writes = machine.writes.count
        let error = try #require(machine.famfs(command, ["-M"] + Self.arguments(command, machine)) as? DaxError)
        #expect(error.lines.first == "dax0.0: busy: pid 1234 (holdmap) has /dev/dax0.0 mapped")
        #expect(ExitCodes.code(for: error, command: DaxMachine.type(command)) == 240)
        #expect(try machine.writes.count == writes && (machine.digest()) == digest && machine.driver == DaxDriver.fsdevDax)
    }

    /// On a devdax device the switch after the work is checked before it: a holder refuses
    /// mkfs -M with the device unformatted; so does a kernel without fsdev_dax.
    @Test func aDevdaxDeviceIsCheckedBeforeTheWork() throws {
        let machine = try DaxMachine(.devdax)
        machine.kernel.holdMapped("dax0.0", pid: 1234, command: "holdmap")
        let digest = try machine.digest()
        #expect(ExitCodes.code(for: try #require(machine.famfs("mkfs", ["-M", machine.image])), command: FamfsMkfs.self) == 240)
        #expect(try machine.writes.isEmpty && machine.digest() == digest && machine.driver == DaxDriver.deviceDax)
        machine.kernel.processes = [:]
        machine.kernel.drivers.remove(DaxDriver.fsdevDax)
        #expect(ExitCodes.code(for: try #require(machine.famfs("mkfs", ["-M", machine.image])), command: FamfsMkfs.self) == 237)
        #expect(try machine.writes.isEmpty && machine.digest() == digest)
    }

    /// Every write of the two switches fails in turn: a failure in the first leaves the
    /// device in famfs mode with the work not done; one in the second leaves it in devdax
    /// mode with the work done, and the error says so.
    @Test(arguments: toDevdax + toFamfs)
    func aFailedSwitchSaysWhereTheDeviceIs(fault: String) throws {
        let machine = try DaxMachine()
        #expect(machine.famfs("mkfs", ["-M", machine.image]) == nil)
        let digest = try machine.digest()
        if fault.hasSuffix("/bind") {
            machine.kernel.inject(.ignore, at: "bus/dax/drivers/" + fault.replacingOccurrences(of: "/bind", with: "/new_id"))
        }
        machine.kernel.inject(.fail(EINVAL), at: "bus/dax/drivers/" + fault)
        let error = try #require(machine.famfs("mkdir", ["-M", machine.image, "dir1"]) as? DaxError)
        let text = "\(error)"
        if Self.toDevdax.contains(fault) {
            #expect(try machine.driver == DaxDriver.fsdevDax && (machine.digest()) == digest, "the work was not done")
            #expect(text.contains("rolled back: dax0.0 is in famfs mode as before"), "\(text)")
        } else {
            #expect(try machine.driver == DaxDriver.deviceDax && (machine.digest()) != digest, "the work was done")
            #expect(text.hasSuffix("dax0.0 stays in devdax mode: the mkdir is done but dax0.0 was not switched to famfs; "
                + "run 'famctl reconfigure-device -m famfs dax0.0' once that is mended"), "\(text)")
        }
        #expect(ExitCodes.code(for: error, command: FamfsMkdir.self) == ExitCodes.dax(errno: error.errno))
    }

    /// A process that opens the device while the work runs: the switch back is refused and
    /// the error says the device stays in devdax mode with the work done.
    @Test func aHolderThatAppearsDuringTheWorkKeepsTheDeviceInDevdax() throws {
        let machine = try DaxMachine()
        let mode = FamfsDaxMode(command: "fsck", target: machine.image, setDaxmode: true, kernel: machine.daxKernel())
        let error = #expect(throws: DaxError.self) {
            try mode.run { _ in machine.kernel.holdOpen("dax0.0", pid: 7, command: "late") }
        }
        #expect(error?.lines == [
            "dax0.0: busy: pid 7 (late) has /dev/dax0.0 open",
            "dax0.0: nothing was changed; stop those processes or unmount, then retry (the kernel lets a busy device be unbound and then corrupts itself)",
            "dax0.0 stays in devdax mode: the fsck is done but dax0.0 was not switched to famfs; run 'famctl reconfigure-device -m famfs dax0.0' once that is mended",
        ])
        #expect(machine.driver == DaxDriver.deviceDax && Array(machine.writes.dropFirst(Self.setup)) == Self.toDevdax)
    }

    /// A switch that does not take and a rollback that fails: the error says the device has
    /// no driver and how to bring it back.
    @Test func aFailedRollbackSaysTheDeviceIsDisabled() throws {
        let machine = try DaxMachine()
        machine.kernel.inject(.ignore, at: "bus/dax/drivers/device_dax/new_id")
        machine.kernel.inject(.fail(ENXIO), at: "bus/dax/drivers/device_dax/bind")
        machine.kernel.inject(.fail(ENXIO), at: "bus/dax/drivers/fsdev_dax/new_id")
        let error = try #require(machine.famfs("mkfs", ["-M", machine.image]) as? DaxError)
        #expect(machine.driver == nil)
        #expect("\(error)".contains("dax0.0 is now disabled (no driver bound); run 'famctl reconfigure-device -m famfs dax0.0'"))
    }

    /// The work fails (no file system yet): famfs mode is restored and the work's error
    /// decides the exit status.
    @Test func aFailedWorkStillEndsInFamfsMode() throws {
        let machine = try DaxMachine()
        let error = try #require(machine.famfs("mkdir", ["-M", machine.image, "d"]))
        #expect(error is VolumeError && ExitCodes.code(for: error, command: FamfsMkdir.self) == ExitCodes.refused)
        #expect(Array(machine.writes.dropFirst(Self.setup)) == Self.toDevdax + Self.toFamfs && machine.driver == DaxDriver.fsdevDax)
        // And when famfs mode cannot be restored after that, the device stays in devdax.
        machine.kernel.inject(.fail(EINVAL), at: "bus/dax/drivers/fsdev_dax/new_id")
        let again = try #require(machine.famfs("mkdir", ["-M", machine.image, "d"]))
        #expect(again is VolumeError && machine.driver == DaxDriver.deviceDax)
    }

    @Test func aDryRunPlansTheSwitchesAndChangesNothing() throws {
        let machine = try DaxMachine()
        let digest = try machine.digest()
        #expect(machine.famfs("mkfs", ["--dry-run", "-M", machine.image]) == nil)
        #expect(try machine.writes.count == Self.setup && machine.driver == DaxDriver.fsdevDax && (machine.digest()) == digest)
        let devdax = try DaxMachine(.devdax)
        #expect(devdax.famfs("mkfs", ["--dry-run", "-M", devdax.image]) == nil)
        #expect(devdax.writes.isEmpty && devdax.driver == DaxDriver.deviceDax)
        devdax.kernel.holdOpen("dax0.0", pid: 1240, command: "sleep")
        #expect(ExitCodes.code(for: try #require(devdax.famfs("mkfs", ["--dry-run", "-M", devdax.image])), command: FamfsMkfs.self) == 240)
    }

    @Test func theOptionNeedsADaxDeviceInDevdaxOrFamfsMode() throws {
        let machine = try DaxMachine()
        let image = try machine.scratch.file("plain.img", size: 8 << 30)
        let notDax = try #require(machine.famfs("mkfs", ["-M", image]) as? CommandError)
        #expect(ExitCodes.code(for: notDax, command: FamfsMkfs.self) == ExitCodes.usage && notDax.description.contains("-M/--set-daxmode switches the mode of a dax device; \(image) is not one"))
        #expect(machine.famfs("mkfs", [image]) == nil, "an image without -M is formatted as before")
        let ram = try DaxMachine(.devdax)
        _ = try DaxController(sysfs: ram.kernel, procfs: ram.kernel).reconfigure(
            try #require(DaxDiscovery(sysfs: ram.kernel).regions().first?.devices.first), ReconfigureOptions(mode: .systemRAM))
        let before = ram.writes.count
        let error = try #require(ram.famfs("mkfs", ["-M", ram.image]))
        #expect(ExitCodes.code(for: error, command: FamfsMkfs.self) == ExitCodes.ioError && ram.writes.count == before)
    }

    // MARK: the binary on a machine tree

    @Test func theBinaryRefusesAndPlansOnAMachineTree() throws {
        let kernel = SimulatedKernel.hmem()
        try kernel.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
        try kernel.write("bus/dax/drivers/fsdev_dax/new_id", "dax0.0")
        let tree = try CapturedTree(kernel, machine: true)
        defer { tree.remove() }
        let machine = try #require(tree.machine)
        let image = machine.appendingPathComponent("dev/dax0.0").path
        try Data().write(to: URL(fileURLWithPath: image))
        try FileHandle(forWritingTo: URL(fileURLWithPath: image)).truncate(atOffset: 8 << 30)
        let scratch = try Scratch()
        let common = ["--system-uuid-file", scratch.systemUUIDFile, "--sysfs-root", tree.root.path]
        let before = try tree.snapshot()
        let digest = try Scratch.digest(image)
        for (command, status) in [("mkfs", 3), ("fsck", 3), ("mkdir", 3)] as [(String, Int32)] {
            let result = try FamctlBinary.run(["famfs", command] + common + [image] + (command == "mkdir" ? ["d"] : []))
            #expect(result.status == status, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("add -M/--set-daxmode") && result.stderr.contains("famctl reconfigure-device -m devdax dax0.0"))
        }
        let plan = try FamctlBinary.run(["famfs", "mkfs", "--dry-run", "-M"] + common + [image])
        #expect(plan.status == 0, "\(plan.stderr)")
        let echoes = plan.stderr.split(separator: "\n").filter { $0.hasPrefix("famctl: mkfs:   echo dax0.0 > \(tree.root.path)/bus/dax/drivers/") }
        #expect(echoes.map { $0.split(separator: "/").suffix(2).joined(separator: "/") } == Self.toDevdax + Self.toFamfs)
        // A tree does not react to writes: the switch is detected as not taken and undone.
        let real = try FamctlBinary.run(["famfs", "mkfs", "-M"] + common + [image])
        #expect(real.status == 240 && real.stderr.contains("rolled back: dax0.0 is in famfs mode as before"), "\(real.stderr)")
        #expect(try Scratch.digest(image) == digest, "nothing formatted")
        #expect(try tree.snapshot().filter { !$0.key.hasPrefix("bus/dax/drivers/") } == before.filter { !$0.key.hasPrefix("bus/dax/drivers/") })
    }

    /// Also with the machine's paths given relative to it (`--sysfs-root sys dev/dax0.0`):
    /// its `proc` is then `./proc`, not the host's `/proc`, and its `dev` `./dev`.
    @Test(arguments: [false, true])
    func theBinaryRefusesAHeldDeviceBeforeAnySwitch(relative: Bool) throws {
        let kernel = SimulatedKernel.hmem()
        try kernel.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
        try kernel.write("bus/dax/drivers/fsdev_dax/new_id", "dax0.0")
        kernel.holdOpen("dax0.0", pid: 1240, command: "sleep")
        let tree = try CapturedTree(kernel, machine: true)
        defer { tree.remove() }
        let machine = try #require(tree.machine)
        let image = machine.appendingPathComponent("dev/dax0.0").path
        try Data(count: 4096).write(to: URL(fileURLWithPath: image))
        let before = try tree.snapshot()
        let result = relative
            ? try ChildProcess.run(FamctlBinary.url, ["famfs", "fsck", "-M", "--sysfs-root", "sys", "dev/dax0.0"], in: machine)
            : try FamctlBinary.run(["famfs", "fsck", "-M", "--sysfs-root", tree.root.path, image])
        #expect(result.status == 240)
        #expect(result.stderr.hasPrefix("famctl: dax0.0: busy: pid 1240 (sleep) has /dev/dax0.0 open\nfamctl: dax0.0: nothing was changed"), "\(result.stderr)")
        #expect(try tree.snapshot() == before)
    }
}
