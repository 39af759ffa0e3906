// SPDX-License-Identifier: Apache-2.0
import Glibc
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
/// writes via `writer`) and `binding` (driver changes).
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
        self.binding = dryRun ? sysfsBinding : (binding?(writer) ?? sysfsBinding)
        self.discovery = DaxDiscovery(sysfs: sysfs)
        self.busyGuard = BusyGuard(procfs: procfs)
    }

    public var dryRun: Bool { writer.dryRun }

    // MARK: reconfigure-device

    /// Switches `device` to `options.mode` (spec §3). Refusals change nothing; a failure after
    /// the first write rolls back to the original mode (or to devdax on the way system-ram →
    /// famfs) and the error says where the device ended up.
    public func reconfigure(_ device: DaxDevice, _ options: ReconfigureOptions) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        let target = options.mode
        var device = device
        if target == .systemRAM && device.resource == nil { device.resource = resource(of: device) }
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
        if target == .systemRAM {
            if options.force == false && !(options.online && !options.movable) { try checkAutoOnlinePolicy(device) }
            try checkWholeBlocks(device)
        }
        var onlineBlocks: [MemoryBlock] = []
        if device.state == .bound(.systemRAM) {
            guard let memory = discovery.memory(of: device) else { throw .memoryUnknown(device: device.name) }
            onlineBlocks = memory.blocks.filter(\.online)
            if !onlineBlocks.isEmpty {
                guard options.force else {
                    throw .memoryOnline(device: device.name, online: onlineBlocks.count, total: memory.total, target: target)
                }
                try checkRemovable(device, onlineBlocks)
            }
        }
        let viaDevdax = device.state == .bound(.systemRAM) && target == .famfs
        for driver in viaDevdax ? [DaxDriver.deviceDax, target.driver] : [target.driver] {
            try requireDriver(driver, for: device)
        }

        var notes = try requireIdle(device)
        var restorePoint = device.state
        var restoreBlocks: [MemoryBlock] = []
        var onlined: [MemoryBlock] = []
        var after = device
        after.state = .bound(target)
        after.memory = nil
        do throws(StepFailure) {
            try offline(onlineBlocks, done: &restoreBlocks)
            if let driver = device.state.driver { try binding.unbind(device, from: driver) }
            if viaDevdax {
                try binding.bind(device, to: DaxDriver.deviceDax)
                restorePoint = .bound(.devdax)
                restoreBlocks = []
                try binding.unbind(device, from: DaxDriver.deviceDax)
            }
            try binding.bind(device, to: target.driver)
            if target == .systemRAM {
                after.memory = try online(after, movable: options.movable, justBound: true, doOnline: options.online, onlined: &onlined, notes: &notes)
            }
        } catch {
            let state = restore(device, to: restorePoint, reonline: restoreBlocks, onlined: onlined, leftVia: viaDevdax && restorePoint == .bound(.devdax))
            throw Self.error(device, error, state: state)
        }
        return DeviceReport(device: after, notes: notes, changed: true)
    }

    // MARK: online-memory / offline-memory

    /// Onlines the offline blocks of a system-ram device; all already online is success.
    public func onlineMemory(_ device: DaxDevice, movable: Bool) throws(DaxError) -> DeviceReport {
        try requireSystemRAM(device)
        var onlined: [MemoryBlock] = []
        var notes: [String] = []
        var after = device
        do throws(StepFailure) {
            after.memory = try online(device, movable: movable, justBound: false, doOnline: true, onlined: &onlined, notes: &notes)
        } catch {
            var undone = 0
            for block in onlined.reversed() where (try? writer.write(block.statePath, "offline")) != nil { undone += 1 }
            let state = undone == onlined.count
                ? "the \(onlined.count) block(s) onlined before the failure were offlined again"
                : "\(onlined.count - undone) block(s) onlined before the failure stay online"
            throw Self.error(device, error, state: state)
        }
        return DeviceReport(device: after, notes: notes, changed: !onlined.isEmpty)
    }

    /// Offlines the online blocks of a system-ram device; all already offline is success.
    public func offlineMemory(_ device: DaxDevice) throws(DaxError) -> DeviceReport {
        try requireSystemRAM(device)
        guard let memory = discovery.memory(of: device) else { throw .memoryUnknown(device: device.name) }
        let onlineBlocks = memory.blocks.filter(\.online)
        var after = device
        after.memory = DeviceMemory(blocks: memory.blocks.map { MemoryBlock(name: $0.name, online: false, zones: "") })
        if onlineBlocks.isEmpty {
            return DeviceReport(device: after, notes: ["\(device.name): all memory sections (\(memory.total)) already offline"], changed: false)
        }
        var notes: [String] = []
        if onlineBlocks.count < memory.total {
            notes.append("\(device.name): \(memory.total - onlineBlocks.count) memory section(s) already offline")
        }
        try checkRemovable(device, onlineBlocks)
        var offlined: [MemoryBlock] = []
        do throws(StepFailure) {
            try offline(onlineBlocks, done: &offlined)
        } catch {
            throw Self.error(device, error, state: reonline(offlined, of: device))
        }
        return DeviceReport(device: after, notes: notes, changed: true)
    }

    // MARK: enable-device / disable-device

    /// Binds `device_dax` to an unbound device.
    public func enable(_ device: DaxDevice) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        if device.state == .bound(.systemRAM) { throw .statusNotApplicable(device: device.name) }
        if let driver = device.state.driver {
            return DeviceReport(device: device, notes: ["\(device.name): already enabled (bound to \(driver))"], changed: false)
        }
        try requireDriver(DaxDriver.deviceDax, for: device)
        do throws(StepFailure) {
            try binding.bind(device, to: DaxDriver.deviceDax)
        } catch {
            throw Self.error(device, error, state: "\(device.name) is still disabled")
        }
        var after = device
        after.state = .bound(.devdax)
        return DeviceReport(device: after, notes: [], changed: true)
    }

    /// Unbinds the driver of a devdax or famfs device.
    public func disable(_ device: DaxDevice) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        if device.state == .bound(.systemRAM) { throw .statusNotApplicable(device: device.name) }
        guard let driver = device.state.driver else {
            return DeviceReport(device: device, notes: ["\(device.name): already disabled"], changed: false)
        }
        let notes = try requireIdle(device)
        do throws(StepFailure) {
            try binding.unbind(device, from: driver)
        } catch {
            throw Self.error(device, error, state: "\(device.name) is still bound to \(driver)")
        }
        var after = device
        after.state = .unbound
        return DeviceReport(device: after, notes: notes, changed: true)
    }

    // MARK: reconfigure-device -s / -a

    /// Sets the alignment and/or size of a disabled device of a dynamic region (daxctl's
    /// `reconfigure-device -s/-a`, spec §5.4).
    public func resize(_ device: DaxDevice, size: UInt64?, align: UInt64?) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        let regionAttributes = "\(SysfsPath.parent(device.path))/dax_region"
        guard sysfs.exists("\(regionAttributes)/available_size") else { throw .staticRegion(region: device.regionID) }
        if let driver = device.state.driver { throw .mustBeDisabled(device: device.name, driver: driver) }
        var after = device
        do throws(SysfsError) {
            if let align {
                try writer.write("\(device.path)/align", String(align))
                after.align = align
            }
            if let size {
                try writer.write("\(device.path)/size", "0x" + String(size, radix: 16))
                after.size = size
            }
        } catch {
            let state = after.align == device.align ? "\(device.name) was not changed" : "\(device.name) has the new alignment but its old size"
            throw .switchFailed(device: device.name, cause: error, state: state)
        }
        return DeviceReport(device: after, notes: [], changed: true)
    }

    // MARK: create-device / destroy-device

    /// Creates a device in a dynamic region (spec §5.7) and enables it in devdax mode. On a
    /// failure the new device is shrunk to 0 and deleted again.
    public func createDevice(in region: DaxRegion, size: UInt64?, align: UInt64?, mappings: [DaxMapping]) throws(DaxError) -> DeviceReport {
        guard let available = region.availableSize else { throw .staticRegion(region: region.id) }
        let total = mappings.isEmpty ? (size ?? available) : mappings.reduce(0) { $0 + $1.size }
        guard total > 0, total <= available else { throw .noSpace(region: region.id) }
        if let align, align == 0 || total % align != 0 {
            throw .invalidValue(what: "align", value: String(align), expected: "a power of two that divides the size \(total)")
        }
        try requireDriver(DaxDriver.deviceDax, for: DaxDevice(name: "region\(region.id)", regionID: region.id, instance: 0, path: region.path, size: 0, state: .unbound))
        let attributes = "\(region.path)/dax_region"
        let name: String
        do throws(SysfsError) {
            try writer.write("\(attributes)/create", "1")
            name = dryRun ? "dax\(region.id).\((region.devices.map(\.instance).max() ?? -1) + 1)" : try sysfs.read("\(attributes)/seed")
        } catch {
            throw .switchFailed(device: "region\(region.id)", cause: error, state: "no device was created")
        }
        var device = DaxDevice(name: name, regionID: region.id, instance: DaxDevice.parseName(name)?.instance ?? 0,
                               path: "\(region.path)/\(name)", size: total, align: align, state: .unbound)
        do throws(StepFailure) {
            do throws(SysfsError) {
                if let align { try writer.write("\(device.path)/align", String(align)) }
                if mappings.isEmpty {
                    try writer.write("\(device.path)/size", "0x" + String(total, radix: 16))
                } else {
                    for mapping in mappings {
                        try writer.write("\(device.path)/mapping", "0x\(String(mapping.start, radix: 16))-0x\(String(mapping.end, radix: 16))")
                    }
                }
            } catch {
                throw .sysfs(error)
            }
            try binding.bind(device, to: DaxDriver.deviceDax)
        } catch {
            try? writer.write("\(device.path)/size", "0")
            try? writer.write("\(attributes)/delete", name)
            throw Self.error(device, error, state: "\(name) was deleted again")
        }
        if !dryRun, let fresh = discovery.device(name, at: device.path) { device = fresh } else { device.state = .bound(.devdax) }
        return DeviceReport(device: device, notes: [], changed: true)
    }

    /// Disables (with `force`), shrinks to 0 and deletes a device (spec §5.8). `daxR.0` cannot
    /// be deleted (the kernel says EBUSY): it stays as the region's size-0 seed, as in daxctl.
    public func destroyDevice(_ device: DaxDevice, force: Bool) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        var notes: [String] = []
        if let driver = device.state.driver {
            guard force else { throw .deviceActive(device: device.name) }
            notes += try requireIdle(device)
            if device.state == .bound(.systemRAM) {
                _ = try reconfigure(device, ReconfigureOptions(mode: .devdax, force: true))
                notes.append("\(device.name): memory offlined and removed")
            }
            do throws(StepFailure) {
                try binding.unbind(device, from: device.state == .bound(.systemRAM) ? DaxDriver.deviceDax : driver)
            } catch {
                throw Self.error(device, error, state: "\(device.name) is still enabled")
            }
        }
        let attributes = "\(SysfsPath.parent(device.path))/dax_region"
        do throws(SysfsError) {
            try writer.write("\(device.path)/size", "0")
            try writer.write("\(attributes)/delete", device.name)
        } catch where error.errno == EBUSY && device.instance == 0 && error.path.hasSuffix("/delete") {
            notes.append("\(device.name): the region's first device cannot be deleted; it stays with size 0")
        } catch {
            throw .switchFailed(device: device.name, cause: error, state: "\(device.name) is disabled but not deleted")
        }
        var after = device
        after.state = .unbound
        after.size = 0
        return DeviceReport(device: after, notes: notes, changed: true)
    }

    // MARK: checks (read-only)

    private func requireModel(_ device: DaxDevice) throws(DaxError) {
        if device.isDaxClass { throw .daxClass(device: device.name) }
        if case .unknownDriver(let driver) = device.state { throw .foreignDriver(device: device.name, driver: driver) }
    }

    /// Refuses (before any write, dry runs too) when the device is busy. Returns the note of
    /// a dry run that could not inspect every process.
    private func requireIdle(_ device: DaxDevice) throws(DaxError) -> [String] {
        guard device.state.driver != nil else { return [] }
        let number = (try? sysfs.read("\(device.path)/dev")).flatMap { DeviceNumber(Array($0.utf8), radix: 10) }
        let scan = busyGuard.holders(of: "/dev/\(device.name)", number: number)
        if !scan.holders.isEmpty { throw .busy(device: device.name, holders: scan.holders) }
        guard dryRun && scan.unreadable > 0 else { return [] }
        return ["\(device.name): dry run: \(scan.unreadable) process(es) could not be inspected (not root?); holders among them are not shown"]
    }

    private func requireSystemRAM(_ device: DaxDevice) throws(DaxError) {
        try requireModel(device)
        guard device.state == .bound(.systemRAM) else {
            throw .notSystemRAM(device: device.name, state: device.state.mode?.rawValue ?? "disabled")
        }
    }

    /// Loads the driver's module and checks its directory exists, before anything changes.
    private func requireDriver(_ driver: String, for device: DaxDevice) throws(DaxError) {
        try? sysfs.loadModule(driver)
        guard sysfs.exists("bus/dax/drivers/\(driver)") else { throw .driverMissing(device: device.name, driver: driver) }
    }

    private func checkAutoOnlinePolicy(_ device: DaxDevice) throws(DaxError) {
        let path = "devices/system/memory/auto_online_blocks"
        guard let policy = try? sysfs.read(path) else { return }
        if policy.hasPrefix("online") {
            throw .autoOnlinePolicy(device: device.name, policy: policy, path: SysfsPath.absolute(path, root: sysfs.root))
        }
    }

    /// kmem hot-plugs only whole memory blocks inside the device (pmem/ndctl#243).
    private func checkWholeBlocks(_ device: DaxDevice) throws(DaxError) {
        guard let resource = resource(of: device), let blockSize = discovery.memoryBlockSize(), blockSize > 0 else { return }
        let first = (resource + blockSize - 1) / blockSize
        let end = (resource + device.size) / blockSize
        if first >= end { throw .noWholeMemoryBlock(device: device.name, size: device.size, blockSize: blockSize) }
    }

    private func checkRemovable(_ device: DaxDevice, _ blocks: [MemoryBlock]) throws(DaxError) {
        for block in blocks where (try? sysfs.read("devices/system/memory/\(block.name)/removable")) == "0" {
            throw .blockNotRemovable(device: device.name, block: block.name)
        }
    }

    private func resource(of device: DaxDevice) -> UInt64? {
        device.resource ?? (try? DaxDiscovery.number(sysfs.read("\(device.path)/resource"))) ?? nil
    }

    // MARK: memory blocks

    /// Offlines `blocks` (ascending) from the highest down; `done` collects those offlined, for
    /// a rollback. The movable zone hands out its lowest free pages first, so pages allocated
    /// since the memory came online (famctl's own among them) sit in the device's low blocks.
    /// Offlining bottom-up migrates them into the next block, again at every step; top-down
    /// empties the free blocks first and moves each page about once. In a TCG guest, 32 blocks:
    /// 750 ms bottom-up, 320 ms top-down (daxctl, in directory order: 390 ms).
    private func offline(_ blocks: [MemoryBlock], done: inout [MemoryBlock]) throws(StepFailure) {
        for block in blocks.reversed() {
            do throws(SysfsError) {
                try writer.write(block.statePath, "offline")
            } catch {
                throw .sysfs(error)
            }
            done.append(block)
        }
    }

    /// Finds the device's blocks (after kmem bound them) and onlines the offline ones
    /// (spec §4.1). Returns the blocks as they are afterwards.
    private func online(
        _ device: DaxDevice, movable: Bool, justBound: Bool, doOnline: Bool, onlined: inout [MemoryBlock], notes: inout [String]
    ) throws(StepFailure) -> DeviceMemory {
        var device = device
        if device.resource == nil { device.resource = resource(of: device) }
        discovery.forgetMemoryBlocks()
        let memory: DeviceMemory
        if dryRun && justBound {
            guard let predicted = predictedBlocks(device) else { throw .refused(.memoryUnknown(device: device.name)) }
            memory = predicted
        } else {
            guard let found = discovery.memory(of: device) else { throw .refused(.memoryUnknown(device: device.name)) }
            memory = found
        }
        guard doOnline else { return memory }
        let offlineBlocks = memory.blocks.filter { !$0.online }
        let alreadyOnline = memory.total - offlineBlocks.count
        if alreadyOnline > 0 && justBound {
            notes.append("""
                \(device.name):
                  WARNING: detected a race while onlining memory
                  Some memory may not be in the expected zone. It is
                  recommended to disable any other onlining mechanisms,
                  and retry. If onlining is to be left to other agents,
                  use the --no-online option to suppress this warning
                """)
        }
        if offlineBlocks.isEmpty {
            notes.append("\(device.name): all memory sections (\(memory.total)) already online")
            return memory
        } else if alreadyOnline > 0 {
            notes.append("\(device.name): \(alreadyOnline) memory section(s) already online")
        }
        let request = movable ? "online_movable" : "online"
        for block in offlineBlocks {
            do throws(SysfsError) {
                try writer.write(block.statePath, request)
            } catch {
                throw .sysfs(error)
            }
            onlined.append(block)
        }
        let expected = movable ? "Movable" : "Normal"
        var blocks = memory.blocks
        for index in blocks.indices where !blocks[index].online {
            blocks[index].online = true
            blocks[index].zones = dryRun ? expected : ((try? sysfs.read("devices/system/memory/\(blocks[index].name)/valid_zones")) ?? "")
            if blocks[index].zones != expected {
                notes.append("\(device.name): \(blocks[index].name) came online in zone \(blocks[index].zones), not \(expected); "
                    + "see 'man daxctl-reconfigure-device'")
            }
        }
        return DeviceMemory(blocks: blocks)
    }

    /// The blocks kmem will add for the device (whole blocks inside its range), for dry runs.
    private func predictedBlocks(_ device: DaxDevice) -> DeviceMemory? {
        guard let resource = device.resource, let blockSize = discovery.memoryBlockSize(), blockSize > 0 else { return nil }
        let first = (resource + blockSize - 1) / blockSize
        let end = (resource + device.size) / blockSize
        return DeviceMemory(blocks: (first..<max(first, end)).map { MemoryBlock(name: "memory\($0)", online: false, zones: "") })
    }

    /// Onlines again blocks that a failed operation offlined, in their old zones.
    private func reonline(_ blocks: [MemoryBlock], of device: DaxDevice) -> String {
        var failed: [String] = []
        for block in blocks.reversed() {
            if (try? writer.write(block.statePath, block.isMovable ? "online_movable" : "online_kernel")) == nil { failed.append(block.name) }
        }
        if failed.isEmpty {
            return blocks.isEmpty ? "no memory block was changed" : "the \(blocks.count) block(s) offlined before the failure were onlined again"
        }
        return "\(failed.count) block(s) stay offline: \(failed.reversed().joined(separator: " "))"
    }

    // MARK: rollback

    /// Brings the device back to `point` after a failed switch: offline what was onlined,
    /// rebind the old driver, online what was offlined. Returns where the device ended up.
    private func restore(_ device: DaxDevice, to point: DeviceState, reonline blocks: [MemoryBlock], onlined: [MemoryBlock], leftVia: Bool) -> String {
        for block in onlined.reversed() where (try? writer.write(block.statePath, "offline")) == nil {
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
        if point == .bound(.systemRAM) && !blocks.isEmpty {
            discovery.forgetMemoryBlocks()
            state += "; " + reonline(blocks, of: device)
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

    private static func error(_ device: DaxDevice, _ failure: StepFailure, state: String) -> DaxError {
        switch failure {
        case .sysfs(let cause): return .switchFailed(device: device.name, cause: cause, state: state)
        case .linkMismatch(let expected, let found, let errno):
            return .driverDidNotChange(device: device.name, expected: expected, found: found, errno: errno, state: state)
        case .refused(let error): return .interrupted(error, state: state)
        }
    }
}
