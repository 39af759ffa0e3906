// SPDX-License-Identifier: Apache-2.0
/// Options of `reconfigure-device`.
public struct ReconfigureOptions: Sendable, Equatable {
    public var mode: DaxMode
    /// Online the memory after hot-plugging it (`--no-online` clears it).
    public var online: Bool
    /// Online as `online_movable` (`--no-movable` clears it: the kernel picks the zone).
    public var movable: Bool
    /// Ignore the auto-online policy; offline online memory before leaving system-ram.
    public var force: Bool

    public init(mode: DaxMode, online: Bool = true, movable: Bool = true, force: Bool = false) {
        self.mode = mode
        self.online = online
        self.movable = movable
        self.force = force
    }
}

/// What an operation did to one device: the device afterwards (for the JSON) and the lines
/// for stderr.
public struct DeviceReport: Sendable, Equatable {
    public var device: DaxDevice
    public var notes: [String]
    /// False when the device was already as requested.
    public var changed: Bool
    /// The operation did not apply to the device (`-C` without a matching section): it is
    /// neither printed nor counted, as daxctl prints nothing then.
    public var skipped: Bool

    public init(device: DaxDevice, notes: [String], changed: Bool, skipped: Bool = false) {
        self.device = device
        self.notes = notes
        self.changed = changed
        self.skipped = skipped
    }
}

/// Mode switches, memory onlining, enable/disable and create/destroy, with daxctl's rules,
/// rollback on failure and dry runs. All kernel access goes through `sysfs` (reads, and the
/// writes via `writer`) and `binding` (driver changes). This file has the mode switch; the
/// memory blocks are `MemoryHotplug`'s (MemoryHotplug.swift, with online-/offline-memory),
/// and enable, disable, resize, create and destroy are in DaxController+Lifecycle.swift.
public final class DaxController {
    public let sysfs: Sysfs
    public let writer: SysfsWriter
    public let binding: DriverBinding
    public let discovery: DaxDiscovery
    /// Refuses to unbind a device that processes hold or a file system is mounted from.
    public let busyGuard: BusyGuard

    /// - Parameter procfs: the machine's `/proc`, for the busy-device guard.
    /// - Parameter binding: how drivers are bound; the sysfs sequence by default (libdaxctl's
    ///   functions on a host with `--backend libdaxctl`). A dry run always plans sysfs writes.
    ///   `busyRetries` applies to the sysfs sequence (see `SysfsDriverBinding`).
    public init(
        sysfs: Sysfs, procfs: Procfs, dryRun: Bool = false, busyRetries: Int = 0, retryDelay: Duration = .seconds(1),
        binding: ((SysfsWriter) -> DriverBinding)? = nil
    ) {
        self.sysfs = sysfs
        let writer = SysfsWriter(sysfs: sysfs, dryRun: dryRun)
        self.writer = writer
        let sysfsBinding = SysfsDriverBinding(writer: writer, busyRetries: dryRun ? 0 : busyRetries, retryDelay: retryDelay)
        // A dry run plans with the backend the real run uses, so it lists what that run does.
        self.binding = binding?(writer) ?? sysfsBinding
        self.discovery = DaxDiscovery(sysfs: sysfs)
        self.busyGuard = BusyGuard(procfs: procfs)
    }

    public var dryRun: Bool { writer.dryRun }

    // MARK: reconfigure-device

    /// Switches `device` to `options.mode` (its writes: ARCHITECTURE.md, "Every sysfs write of a
    /// mode switch"). Refusals change nothing; a failure after
    /// the first write rolls back to the original mode (or to devdax on the way system-ram →
    /// famfs) and the error says where the device ended up.
    public func reconfigure(_ device: DaxDevice, _ options: ReconfigureOptions) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        let target = options.mode
        let hotplug = memoryHotplug()
        var device = device
        if target == .systemRAM && device.resource == nil { device.resource = hotplug.resource(of: device) }
        if device.state == .bound(target) {
            var report = DeviceReport(device: device, notes: ["\(device.name): already in \(target.rawValue) mode"], changed: false)
            if target == .systemRAM && options.online {
                let online = try onlineMemory(device, movable: options.movable)
                report.device = online.device
                report.notes += online.notes
                report.changed = online.changed
            }
            return report
        }

        // Refusals, before anything is written.
        if target == .systemRAM {
            if options.force == false && !(options.online && !options.movable) { try hotplug.checkAutoOnlinePolicy(device) }
            try hotplug.checkWholeBlocks(device)
        }
        var onlineBlocks: [MemoryBlock] = []
        if device.state == .bound(.systemRAM) {
            let memory = try hotplug.memory(of: device)
            onlineBlocks = memory.blocks.filter(\.online)
            if !onlineBlocks.isEmpty {
                guard options.force else {
                    throw .memoryOnline(device: device.name, online: onlineBlocks.count, total: memory.total, target: target)
                }
                try hotplug.checkRemovable(device, onlineBlocks)
            }
        }
        let viaDevdax = device.state == .bound(.systemRAM) && target == .famfs
        for driver in viaDevdax ? [DaxDriver.deviceDax, target.driver] : [target.driver] {
            try requireDriver(driver, for: device)
        }
        var notes = try requireIdle(device)

        // The switch: offline, unbind, (bind and unbind device_dax,) bind, online.
        var restorePoint = device.state
        var after = device
        after.state = .bound(target)
        after.memory = nil
        try perform(on: device.name) { () throws(StepFailure) in
            try hotplug.offline(onlineBlocks)
            if let driver = device.state.driver { try binding.unbind(device, from: driver) }
            if viaDevdax {
                try binding.bind(device, to: DaxDriver.deviceDax)
                restorePoint = .bound(.devdax)
                try binding.unbind(device, from: DaxDriver.deviceDax)
            }
            try binding.bind(device, to: target.driver)
            if target == .systemRAM {
                after.memory = options.online
                    ? try hotplug.online(after, movable: options.movable, afterBind: true)
                    : try hotplug.blocks(of: after, afterBind: true)
                notes += hotplug.notes
            }
        } rollback: {
            restore(device, to: restorePoint, hotplug, leftVia: viaDevdax && restorePoint == .bound(.devdax))
        }
        return DeviceReport(device: after, notes: notes, changed: true)
    }

    // MARK: checks (read-only)

    func requireModel(_ device: DaxDevice) throws(DaxError) {
        if device.isDaxClass { throw .daxClass(device: device.name) }
        if case .unknownDriver(let driver) = device.state { throw .foreignDriver(device: device.name, driver: driver) }
    }

    /// Refuses (before any write, dry runs too) when the device is busy. Returns the note of
    /// a dry run that could not inspect every process.
    func requireIdle(_ device: DaxDevice) throws(DaxError) -> [String] {
        guard device.state.driver != nil else { return [] }
        let number = (try? sysfs.read("\(device.path)/dev")).flatMap { DeviceNumber(Array($0.utf8), radix: 10) }
        let scan = busyGuard.holders(of: "/dev/\(device.name)", number: number)
        if !scan.holders.isEmpty { throw .busy(device: device.name, holders: scan.holders) }
        guard dryRun && scan.unreadable > 0 else { return [] }
        return ["\(device.name): dry run: \(scan.unreadable) process(es) could not be inspected (not root?); holders among them are not shown"]
    }

    func requireSystemRAM(_ device: DaxDevice) throws(DaxError) {
        try requireModel(device)
        guard device.state == .bound(.systemRAM) else {
            throw .notSystemRAM(device: device.name, state: device.state.mode?.rawValue ?? "disabled")
        }
    }

    /// Loads the driver's module and checks its directory exists, before anything changes.
    func requireDriver(_ driver: String, for device: DaxDevice) throws(DaxError) {
        try? sysfs.loadModule(driver)
        guard sysfs.exists("bus/dax/drivers/\(driver)") else { throw .driverMissing(device: device.name, driver: driver) }
    }

    // MARK: failures and rollback

    /// Runs the steps of an operation on the device (or region) `name`. When a step fails,
    /// `rollback` puts back what it can and says where the device ended up, for the error.
    func perform<Result>(
        on name: String, _ steps: () throws(StepFailure) -> Result, rollback: () -> String
    ) throws(DaxError) -> Result {
        do throws(StepFailure) {
            return try steps()
        } catch {
            let state = rollback()
            switch error {
            case .sysfs(let cause): throw .switchFailed(device: name, cause: cause, state: state)
            case .linkMismatch(let expected, let found, let errno):
                throw .driverDidNotChange(device: name, expected: expected, found: found, errno: errno, state: state)
            case .refused(let error): throw .interrupted(error, state: state)
            }
        }
    }

    /// Brings the device back to `point` after a failed switch: offline what was onlined,
    /// rebind the old driver, online what was offlined. Returns where the device ended up.
    private func restore(_ device: DaxDevice, to point: DeviceState, _ hotplug: MemoryHotplug, leftVia: Bool) -> String {
        if let block = hotplug.offlineOnlinedForUnbind() {
            return "rollback failed: \(block.name) cannot be offlined again; \(device.name) stays in system-ram mode"
        }
        let current = writer.driver(of: device)
        if current != point.driver {
            if let current {
                do throws(StepFailure) {
                    try binding.unbind(device, from: current)
                } catch {
                    return "rollback failed (\(Self.describe(error))); \(device.name) is bound to \(current)"
                }
            }
            if let wanted = point.driver {
                do throws(StepFailure) {
                    try binding.bind(device, to: wanted)
                } catch {
                    return "rollback failed (\(Self.describe(error))); \(device.name) is now disabled (no driver bound); "
                        + "run 'famctl reconfigure-device -m \(point.mode?.rawValue ?? "devdax") \(device.name)'"
                }
            }
        }
        var state = leftVia
            ? "\(device.name) was left in devdax mode (its memory was already removed)"
            : "rolled back: \(device.name) is in \(point.label) mode as before"
        if point == .bound(.systemRAM) && !hotplug.offlined.isEmpty {
            discovery.forgetMemoryBlocks()
            state += "; " + hotplug.undoOfflining()
        }
        return state
    }

    private static func describe(_ failure: StepFailure) -> String {
        switch failure {
        case .sysfs(let error): return error.description
        case .linkMismatch(let expected, let found, _):
            return "driver link is \(found ?? "absent"), expected \(expected ?? "absent")"
        case .refused(let error): return error.description
        }
    }
}
