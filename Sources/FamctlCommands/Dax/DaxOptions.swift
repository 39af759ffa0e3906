import ArgumentParser
import DaxKit
import Foundation

/// Which implementation talks to the kernel.
enum DaxBackendChoice: String, ExpressibleByArgument, CaseIterable {
    /// libdaxctl when the root is the host's `/sys`, sysfs otherwise.
    case auto
    case libdaxctl
    case sysfs
}

/// Options every dax command takes: where the kernel's sysfs is and which backend to use.
struct DaxGlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("sysfs-root"),
        help: ArgumentHelp(
            "The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules.",
            valueName: "path"),
        completion: .directory)
    var sysfsRoot: String?

    @Option(help: ArgumentHelp("auto, libdaxctl or sysfs. libdaxctl works only on the host's /sys; both give the same JSON.", valueName: "backend"))
    var backend: DaxBackendChoice = .auto

    /// The root: the option, else `FAMCTL_SYSFS_ROOT`, else `/sys`.
    var root: String {
        if let sysfsRoot { return sysfsRoot }
        if let environment = ProcessInfo.processInfo.environment["FAMCTL_SYSFS_ROOT"], !environment.isEmpty { return environment }
        return "/sys"
    }

    /// The sysfs layer and whether libdaxctl serves this invocation.
    func resolve() throws -> (sysfs: HostSysfs, useLibdaxctl: Bool) {
        let sysfs = HostSysfs(root: root)
        switch backend {
        case .sysfs: return (sysfs, false)
        case .auto: return (sysfs, sysfs.isHostRoot)
        case .libdaxctl:
            guard sysfs.isHostRoot else {
                throw CommandFailure(
                    exitCode: ExitCodes.usage,
                    message: "--backend libdaxctl reads only the host's /sys; use --backend sysfs with --sysfs-root \(root)")
            }
            return (sysfs, true)
        }
    }
}

extension DaxGlobalOptions {
    /// Changing the host's devices needs root; dry runs and captured trees do not.
    func requireRoot(_ sysfs: HostSysfs, dryRun: Bool) throws {
        if !dryRun && sysfs.isHostRoot && geteuid() != 0 {
            throw CommandFailure(exitCode: ExitCodes.dax(errno: Errno.EACCES), message: "this command changes the kernel's dax devices and must run as root")
        }
    }
}

/// Parsing of daxctl's device and region arguments.
enum DaxNames {
    /// `daxX.Y`, `X.Y` or `/dev/daxX.Y` → `daxX.Y`; `all` → nil.
    static func device(_ argument: String) throws -> String? {
        if argument == "all" { return nil }
        let base = argument.split(separator: "/").last.map(String.init) ?? argument
        let name = base.hasPrefix("dax") ? base : "dax" + base
        guard DaxDevice.parseName(name) != nil else {
            throw ValidationError(DaxError.badName(argument: argument, expected: "a dax device (daxX.Y, X.Y, /dev/daxX.Y or all)").description)
        }
        return name
    }

    /// `N` or `regionN` → N; `all` → nil.
    static func region(_ argument: String) throws -> Int? {
        if argument == "all" { return nil }
        let digits = argument.hasPrefix("region") ? String(argument.dropFirst("region".count)) : argument
        guard let id = Int(digits), id >= 0 else {
            throw ValidationError(DaxError.badName(argument: argument, expected: "a region (N, regionN or all)").description)
        }
        return id
    }
}

/// One run of a device command over several devices, daxctl style: per-device lines and a
/// summary on stderr, the JSON of the changed devices on stdout, and the exit status of the
/// last failure (256 − errno).
struct DaxDeviceRun {
    let options: DaxGlobalOptions
    let human: Bool
    let verbose: Bool
    let dryRun: Bool
    /// "reconfigured", "onlined memory for", …
    let summaryVerb: String
    /// "reconfiguring devices", "onlining memory", …
    let errorNoun: String
    /// Whether the devices after the operation are printed as JSON (reconfigure-device only,
    /// as in daxctl).
    let printsJSON: Bool

    func run(
        devices arguments: [String], region: String?,
        _ operation: (DaxController, DaxDevice) throws(DaxError) -> DeviceReport
    ) throws {
        let names = try arguments.map(DaxNames.device)
        let regionFilter = try region.flatMap(DaxNames.region)
        let (sysfs, useLibdaxctl) = try options.resolve()
        try options.requireRoot(sysfs, dryRun: dryRun)
        let controller = DaxController(sysfs: sysfs, dryRun: dryRun, binding: useLibdaxctl ? { LibDaxctlBinding(writer: $0) } : nil)
        // Named devices only: the others' attributes are never read.
        let wanted = names.contains(nil) ? nil : Set(names.compactMap { $0 })
        let all = controller.discovery.regions { wanted?.contains($0) ?? true }.flatMap(\.devices)
            .filter { regionFilter == nil || $0.regionID == regionFilter }
        var selected: [DaxDevice] = []
        var failure: DaxError?
        for (argument, name) in zip(arguments, names) {
            let matches = all.filter { name == nil || $0.name == name }
            if matches.isEmpty {
                let error = DaxError.noMatch(argument: argument + (region.map { " in region \($0)" } ?? ""))
                Self.stderr("famctl: \(error)")
                failure = error
            }
            for device in matches where !selected.contains(where: { $0.name == device.name }) { selected.append(device) }
        }
        var json: [JSONValue] = []
        var count = 0
        for device in selected {
            let before = controller.writer.writes.count
            do throws(DaxError) {
                let report = try operation(controller, device)
                report.notes.forEach { Self.stderr($0) }
                json.append(DaxJSON.device(report.device, DaxJSON.Format(human: human)))
                count += 1
            } catch {
                Self.stderr("famctl: \(error)")
                failure = error
            }
            if verbose && !dryRun {
                controller.writer.writes[before...].forEach { Self.stderr("famctl: \(device.name): wrote \($0.command(root: sysfs.root))") }
            }
        }
        if dryRun {
            for write in controller.writer.writes { print(write.command(root: sysfs.root)) }
            Self.stderr("famctl: dry run: \(controller.writer.writes.count) write(s) planned, nothing changed")
        } else if printsJSON, let document = DaxJSON.document(json, human: human) {
            print(document)
        }
        if let failure { Self.stderr("error \(errorNoun): \(Errno.describe(failure.errno))") }
        Self.stderr("\(summaryVerb) \(count) device\(count == 1 ? "" : "s")")
        if let failure { throw CommandFailure(exitCode: ExitCodes.dax(errno: failure.errno), message: "") }
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// `-r`, `-u`, `-v` and famctl's `--dry-run`: what every changing dax command takes.
struct DaxRunOptions: ParsableArguments {
    @Option(name: [.customShort("r"), .customLong("region")], help: ArgumentHelp("Only this region: N, regionN or all.", valueName: "region-id"),
            completion: .custom(Completions.regions))
    var region: String?

    @Flag(name: [.customShort("u"), .customLong("human")], help: "Human-readable sizes in the JSON.")
    var human = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Print each sysfs write made.")
    var verbose = false

    @Flag(name: .customLong("dry-run"), help: "Print the sysfs writes that would be made, in order, and change nothing.")
    var dryRun = false
}

/// The options of daxctl's per-device commands: `DaxRunOptions` and the device arguments.
struct DaxDeviceArguments: ParsableArguments {
    @OptionGroup var run: DaxRunOptions

    @Argument(help: ArgumentHelp("Devices: daxX.Y, X.Y, /dev/daxX.Y or all.", valueName: "dev"), completion: .custom(Completions.daxDevices))
    var devices: [String] = []

    var region: String? { run.region }

    /// daxctl's "specify a device to <verb>, or "all"".
    func requireDevices(verb: String) throws {
        if devices.isEmpty { throw ValidationError("specify a device to \(verb), or \"all\"") }
    }

    func runner(_ global: DaxGlobalOptions, summary: String, error: String, json: Bool = false) -> DaxDeviceRun {
        DaxDeviceRun(options: global, human: run.human, verbose: run.verbose, dryRun: run.dryRun, summaryVerb: summary, errorNoun: error, printsJSON: json)
    }
}
