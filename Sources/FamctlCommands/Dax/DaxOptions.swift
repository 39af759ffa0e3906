// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// Which implementation talks to the kernel.
enum DaxBackendChoice: String, ExpressibleByArgument, CaseIterable {
    /// libdaxctl when a command changes devices on the host's `/sys`, sysfs otherwise.
    case auto
    case libdaxctl
    case sysfs
}

/// Options every dax command takes: where the kernel's sysfs is and which backend to use.
struct DaxGlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("sysfs-root"),
        help: ArgumentHelp(
            "The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.",
            valueName: "path"),
        completion: .directory)
    var sysfsRoot: String?

    @Option(help: ArgumentHelp("auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host's /sys, sysfs otherwise and for list. libdaxctl works only on the host's /sys; both give the same JSON.", valueName: "backend"))
    var backend: DaxBackendChoice = .auto

    var values: Values { Values(sysfsRoot: sysfsRoot, backend: backend) }
}

extension DaxGlobalOptions {
    /// The options' values, without argument-parser's property wrappers (see `QuickValues`).
    struct Values {
        var sysfsRoot: String?
        var backend = DaxBackendChoice.auto

        /// The root: the option, else `FAMCTL_SYSFS_ROOT`, else `/sys`.
        var root: String {
            sysfsRoot ?? HostSysfs.defaultRoot()
        }

        /// The sysfs layer and whether libdaxctl serves this invocation. `auto` picks libdaxctl on
        /// the host's /sys for the commands that change devices (`autoLibdaxctl`); `list` reads
        /// sysfs itself, as libdaxctl would, without loading libdaxctl and the libraries it brings
        /// (binding them costs as much as the whole of `daxctl list`).
        func resolve(autoLibdaxctl: Bool = true) throws -> (sysfs: HostSysfs, useLibdaxctl: Bool) {
            let sysfs = HostSysfs(root: root)
            try sysfs.requireSysfsTree()
            switch backend {
            case .sysfs: return (sysfs, false)
            case .auto: return (sysfs, autoLibdaxctl && sysfs.isHostRoot)
            case .libdaxctl:
                guard sysfs.isHostRoot else {
                    throw CommandError.usage(
                        "--backend libdaxctl reads only the host's /sys; use --backend sysfs with --sysfs-root \(root)")
                }
                return (sysfs, true)
            }
        }
    }

    /// The machine's `/proc` for the busy-device guard: `/proc` with the host's `/sys`,
    /// else `FAMCTL_PROC_ROOT` or the `proc` beside a root named `sys`.
    static func procfs(forSysfsRoot root: String) -> HostProcfs {
        HostProcfs(root: HostProcfs.root(forSysfsRoot: root, override: Environment.value("FAMCTL_PROC_ROOT")))
    }

    static let quickOptions: [QuickArguments.Option] = [.value(nil, "sysfs-root"), .value(nil, "backend")]

    static func quick(_ arguments: QuickArguments) -> Values? {
        guard let backend = arguments.value("backend").map(DaxBackendChoice.init(argument:)) ?? .auto else { return nil }
        return Values(sysfsRoot: arguments.value("sysfs-root"), backend: backend)
    }

    /// Changing the host's devices needs root; dry runs and captured trees do not.
    static func requireRoot(_ sysfs: HostSysfs, dryRun: Bool) throws {
        if !dryRun && sysfs.isHostRoot && geteuid() != 0 {
            throw CommandError.dax(errno: EACCES, "this command changes the kernel's dax devices and must run as root")
        }
    }
}

/// A size or alignment in daxctl's syntax: decimal or 0x hexadecimal bytes with an optional
/// k/m/g/t suffix (powers of 1024). Parsed once, when the command line is.
struct DaxSize {
    let bytes: UInt64

    /// `what` names the option in the message ("size", "align").
    init(_ text: String, what: String) throws(ValidationError) {
        var digits = Substring(text.lowercased())
        var shift: UInt64 = 0
        if let last = digits.last, let index = "kmgt".firstIndex(of: last) {
            shift = UInt64(10 * ("kmgt".distance(from: "kmgt".startIndex, to: index) + 1))
            digits = digits.dropLast()
        }
        let value = digits.hasPrefix("0x") ? UInt64(digits.dropFirst(2), radix: 16) : UInt64(digits)
        guard let value, value.leadingZeroBitCount >= shift else {
            throw ValidationError(DaxError.invalidValue(what: what, value: text, expected: "bytes, 0x…, or a number with k, m, g or t").description)
        }
        bytes = value << shift
    }

    /// The option's transform: a bad value is a usage error naming the option.
    static func parser(_ what: String) -> @Sendable (String) throws -> DaxSize {
        { text in try DaxSize(text, what: what) }
    }
}

extension DaxMode {
    /// `-m`'s transform: daxctl's mode names.
    @Sendable static func parse(_ text: String) throws -> DaxMode {
        guard let mode = DaxMode(rawValue: text) else {
            throw ValidationError("unknown mode '\(text)': expected one of \(Completions.modes.joined(separator: ", "))")
        }
        return mode
    }
}

/// Parsing of daxctl's device and region arguments.
enum DaxNames {
    /// `daxX.Y`, `X.Y` or `/dev/daxX.Y` → `daxX.Y`; `all` → nil. Read by bytes, as the
    /// kernel reads a path: splitting by Characters runs Unicode segmentation at every start.
    static func device(_ argument: String) throws -> String? {
        if argument == "all" { return nil }
        let base = argument.utf8.split(separator: UInt8(ascii: "/")).last.map { String(Substring($0)) } ?? argument
        let name = base.utf8.starts(with: "dax".utf8) ? base : "dax" + base
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

/// The operation of a per-device command on one device.
typealias DaxOperation = (DaxController, DaxDevice) throws(DaxError) -> DeviceReport

/// One run of a dax command over several devices (or regions, for create-device), daxctl
/// style: per-device lines and a summary on stderr, the JSON of the changed devices on
/// stdout, and the exit status of the last failure (256 − errno).
struct DaxDeviceRun {
    let options: DaxGlobalOptions.Values
    let run: DaxRunOptions.Values
    /// "reconfigured …", "error reconfiguring devices: …"
    let summary: DaxSummary
    /// Whether the devices after the operation are printed as JSON (reconfigure-device and
    /// create-device, as in daxctl).
    let printsJSON: Bool
    /// Retries of an unbind that reports EBUSY.
    let busyRetries: Int
    /// Where stdout and stderr lines go (tests collect them).
    var console = ConsoleLines.standard

    /// What the items of a run came to.
    struct Outcome {
        var json: [JSON] = []
        var count = 0
        var failure: DaxError?
    }

    /// The controller on the kernel named by the global options, and its sysfs root.
    func controller() throws -> (DaxController, root: String) {
        let (sysfs, useLibdaxctl) = try options.resolve()
        try DaxGlobalOptions.requireRoot(sysfs, dryRun: run.dryRun)
        let controller = DaxController(sysfs: sysfs, procfs: DaxGlobalOptions.procfs(forSysfsRoot: sysfs.root), dryRun: run.dryRun,
                                       busyRetries: busyRetries, binding: useLibdaxctl ? { LibDaxctlBinding(writer: $0) } : nil)
        return (controller, sysfs.root)
    }

    /// The command on the kernel named by the global options.
    func run(devices arguments: [String], region: String?, _ operation: DaxOperation) throws {
        let (controller, root) = try controller()
        try run(devices: arguments, region: region, controller: controller, root: root, operation)
    }

    /// The command through `controller` (any kernel: the tests give it the simulated one).
    func run(devices arguments: [String], region: String?, controller: DaxController, root: String, _ operation: DaxOperation) throws {
        // "" stands for `all` (no device has that name): arrays of strings and no sets, as the
        // storage metadata of a [String?] or a Set<String> costs 0.06 M and 0.24 M instructions
        // at every start; a run names a few devices.
        let names = try arguments.map { try DaxNames.device($0) ?? "" }
        let regionFilter = try region.flatMap(DaxNames.region)
        // Named devices only: the others' attributes are never read.
        let wanted = names.contains("") ? nil : names
        let all = controller.discovery.regions { wanted?.contains($0) ?? true }.flatMap(\.devices)
            .filter { regionFilter == nil || $0.regionID == regionFilter }
        var done: [String] = []
        var outcome = Outcome()
        // In argument order, so the exit status is that of the last failure on the command line.
        for (argument, name) in zip(arguments, names) {
            let matches = all.filter { name == "" || $0.name == name }
            if matches.isEmpty {
                fail(DaxError.noMatch(argument: argument + (region.map { " in region \($0)" } ?? "")), &outcome)
            }
            for device in matches where !done.contains(device.name) {
                done.append(device.name)
                perform(device.name, controller: controller, root: root, &outcome) { () throws(DaxError) in try operation(controller, device) }
            }
        }
        try finish(outcome, controller: controller, root: root)
    }

    /// One item of the run, named `label` in -v lines: its notes, its JSON and count, or its
    /// failure printed and kept.
    func perform(_ label: String, controller: DaxController, root: String, _ outcome: inout Outcome,
                 _ body: () throws(DaxError) -> DeviceReport) {
        let before = controller.writer.writes.count
        do throws(DaxError) {
            let report = try body()
            report.notes.forEach(console.error)
            if !report.skipped {
                outcome.json.append(DaxJSON.device(report.device, DaxJSON.Format(human: run.human)))
                outcome.count += 1
            }
        } catch {
            fail(error, &outcome)
        }
        if run.verbose && !run.dryRun {
            controller.writer.writes[before...].forEach { console.error("famctl: \(label): \($0.verb) \($0.command(root: root))") }
        }
    }

    /// A failure of one item: printed, and the run's exit status unless a later one fails.
    func fail(_ error: DaxError, _ outcome: inout Outcome) {
        error.lines.forEach { console.error("famctl: \($0)") }
        outcome.failure = error
    }

    /// daxctl's epilogue: the planned writes of a dry run or the JSON, the failure and summary lines.
    func finish(_ outcome: Outcome, controller: DaxController, root: String) throws {
        if run.dryRun {
            for write in controller.writer.writes { console.out(write.command(root: root)) }
            console.error("famctl: dry run: \(controller.writer.writes.count) write(s) planned, nothing changed")
        } else if printsJSON, let document = DaxJSON.document(outcome.json, human: run.human) {
            console.out(document)
        }
        if let failure = outcome.failure { console.error("error \(summary.failure): \(errnoDescription(failure.errno))") }
        console.error(summary.line(count: outcome.count, dryRun: run.dryRun))
        if let failure = outcome.failure { throw CommandError.daxReported(failure) }
    }
}

/// daxctl's closing lines: "error reconfiguring devices: …" after a failure, then
/// "reconfigured 2 devices"; a dry run says what the command would do, never that it happened.
struct DaxSummary {
    /// "reconfigured", "onlined memory for", …
    let done: String
    /// "would reconfigure", "would online memory for", …
    let planned: String
    /// "reconfiguring devices", "onlining memory", …
    let failure: String

    func line(count: Int, dryRun: Bool) -> String {
        "\(dryRun ? planned : done) \(count) device\(count == 1 ? "" : "s")"
    }
}

/// `-r`, `-u`, `-v` and famctl's `--dry-run`: what every changing dax command takes.
struct DaxRunOptions: ParsableArguments {
    @Option(name: [.customShort("r", allowingJoined: true), .customLong("region")], help: ArgumentHelp("Only this region: N, regionN or all.", valueName: "region-id"),
            completion: .custom(Completions.regions))
    var region: String?

    @Flag(name: [.customShort("u"), .customLong("human")], help: "Human-readable sizes in the JSON.")
    var human = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver's writes).")
    var verbose = false

    @Flag(name: .customLong("dry-run"), help: "Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.")
    var dryRun = false

    var values: Values { Values(region: region, human: human, verbose: verbose, dryRun: dryRun) }

    /// The options' values, without argument-parser's property wrappers (see `QuickValues`).
    struct Values {
        var region: String?
        var human = false
        var verbose = false
        var dryRun = false
    }
}

/// `--movable` / `--no-movable`: the zone onlined memory goes to; the last one given wins,
/// as with daxctl. An enumeration, not an inverted Bool, so each name has its own help text.
/// A plain value already: the commands' `Values` hold it as it is.
enum MemoryZone: EnumerableFlag {
    case movable
    case noMovable

    static func name(for value: MemoryZone) -> NameSpecification {
        value == .movable ? .customLong("movable") : .customLong("no-movable")
    }

    static func help(for value: MemoryZone) -> ArgumentHelp? {
        switch value {
        case .movable: "Online memory as movable (online_movable, ZONE_MOVABLE), so it can be offlined again."
        case .noMovable: "Online memory as plain online: the kernel picks the zone, usually ZONE_NORMAL, where it may not offline again."
        }
    }
}

extension MemoryZone {
    static let quickOptions: [QuickArguments.Option] = [.flag(nil, "movable", exclusive: "zone"), .flag(nil, "no-movable", exclusive: "zone")]

    /// The zone given, nil when neither flag is.
    static func quick(_ arguments: QuickArguments) -> MemoryZone? {
        arguments.flag("movable") ? .movable : arguments.flag("no-movable") ? .noMovable : nil
    }
}

/// `--busy-retries`, for the commands that unbind drivers. Its value is the commands' plain
/// `busyRetries`.
struct DaxRetryOptions: ParsableArguments {
    @Option(name: .customLong("busy-retries"), help: ArgumentHelp("Retry an unbind that reports EBUSY this many times, 1 s apart (sysfs backend).", valueName: "n"))
    var busyRetries = 0
}

extension DaxRetryOptions {
    static let quickOptions: [QuickArguments.Option] = [.value(nil, "busy-retries")]

    /// `--busy-retries`, 0 when not given; nil when it is not a number.
    static func quick(_ arguments: QuickArguments) -> Int? {
        arguments.value("busy-retries").map(Int.init(argument:)) ?? 0
    }
}

/// What every daxctl per-device command is given: the global options, the run options and
/// the devices, and `--busy-retries` (0 for the commands that do not unbind).
struct DaxDeviceInvocation {
    var global: DaxGlobalOptions.Values
    var common: DaxDeviceArguments.Values
    var busyRetries = 0

    /// argument-parser's options, as values.
    init(_ global: DaxGlobalOptions, _ common: DaxDeviceArguments, _ retry: DaxRetryOptions? = nil) {
        self.global = global.values
        self.common = common.values
        busyRetries = retry?.busyRetries ?? 0
    }

    /// The options every per-device command has (and `--busy-retries` where its table has
    /// it); nil when one does not convert.
    init?(quick arguments: QuickArguments) {
        guard let global = DaxGlobalOptions.quick(arguments),
            let busyRetries = arguments.declares("busy-retries") ? DaxRetryOptions.quick(arguments) : 0
        else { return nil }
        self.global = global
        common = DaxDeviceArguments.quick(arguments)
        self.busyRetries = busyRetries
    }
}

/// A daxctl per-device command's values and work: the operation on one device; running over
/// the arguments, the output and the exit status are common to all of them.
protocol DaxDeviceValues: QuickValues {
    var invocation: DaxDeviceInvocation { get }
    /// daxctl's summary and failure lines ("reconfigured", "reconfiguring devices", …).
    static var summary: DaxSummary { get }
    /// daxctl prints the devices' JSON for mode switches only.
    var printsJSON: Bool { get }
    /// The verb of "specify a device to <verb>, or "all"".
    static var verb: String { get }

    /// The operation on each device, made once per run.
    func operation() -> DaxOperation
}

extension DaxDeviceValues {
    var printsJSON: Bool { false }

    func validate() throws {
        if invocation.common.devices.isEmpty { throw ValidationError("specify a device to \(Self.verb), or \"all\"") }
    }

    func runner() -> DaxDeviceRun {
        DaxDeviceRun(options: invocation.global, run: invocation.common.run, summary: Self.summary, printsJSON: printsJSON,
                     busyRetries: invocation.busyRetries)
    }

    func run() throws {
        try runner().run(devices: invocation.common.devices, region: invocation.common.region, operation())
    }

    /// The quick options every per-device command has; a command adds its own.
    static var deviceQuickOptions: [QuickArguments.Option] { DaxGlobalOptions.quickOptions + DaxDeviceArguments.quickOptions }
    static var quickPositionals: Bool { true }
}

/// The values of a per-device command that has no options of its own.
protocol DaxInvocationValues: DaxDeviceValues {
    init(invocation: DaxDeviceInvocation)
}

extension DaxInvocationValues {
    init?(quick arguments: QuickArguments) {
        guard let invocation = DaxDeviceInvocation(quick: arguments) else { return nil }
        self.init(invocation: invocation)
    }
}

/// A daxctl per-device command: its work is its `Values`'.
protocol DaxDeviceCommand: QuickCommand where Values: DaxDeviceValues {}

/// The options of daxctl's per-device commands: `DaxRunOptions` and the device arguments.
struct DaxDeviceArguments: ParsableArguments {
    @OptionGroup var run: DaxRunOptions

    @Argument(help: ArgumentHelp("Devices: daxX.Y, X.Y, /dev/daxX.Y or all.", valueName: "dev"), completion: .custom(Completions.daxDevices))
    var devices: [String] = []

    var values: Values { Values(run: run.values, devices: devices) }

    /// The arguments' values, without argument-parser's property wrappers (see `QuickValues`).
    struct Values {
        var run: DaxRunOptions.Values
        var devices: [String]

        var region: String? { run.region }
    }
}

extension DaxDeviceArguments {
    static let quickOptions: [QuickArguments.Option] = [
        .value("r", "region", joined: true), .flag("u", "human"), .flag("v", "verbose"), .flag(nil, "dry-run"),
    ]

    static func quick(_ arguments: QuickArguments) -> Values {
        let run = DaxRunOptions.Values(region: arguments.value("region"), human: arguments.flag("human"), verbose: arguments.flag("verbose"),
                                       dryRun: arguments.flag("dry-run"))
        return Values(run: run, devices: arguments.positionals)
    }
}
