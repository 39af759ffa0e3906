// SPDX-License-Identifier: Apache-2.0
import DaxKit
import Foundation
import Glibc

/// An in-memory stand-in for the kernel's dax bus and memory hotplug, seen through `Sysfs`.
///
/// The state is a model (regions, devices, drivers, memory blocks, the auto-online policy);
/// the sysfs tree is rendered from it with the real kernel's layout (NOTES.md §8) and writes
/// are dispatched to the handler the kernel would run (`drivers/D/new_id`, `bind`, `unbind`,
/// `remove_id`, `memoryN/state`, `dax_region/create|delete`, device `size|align|mapping`).
/// `inject` makes any write fail (or silently not take) for fault tests, and `materialize`
/// writes the rendered tree to disk for end-to-end tests of the binary.
public final class SimulatedKernel: Sysfs, Procfs {
    public struct Region: Sendable {
        public var id: Int
        /// The region directory relative to the root (parent of its device directories).
        public var path: String
        public var size: UInt64
        public var align: UInt64
        /// hmem/CXL: `create`, `delete`, `seed`, `available_size`, writable `size`/`align`.
        public var dynamic: Bool
        /// CXL RAM regions: devices match `kmem` by type and come up in system-ram mode.
        public var kmemByType: Bool
        /// Physical address of the region's first byte.
        public var base: UInt64
    }

    public struct Device: Sendable {
        public var name: String
        public var regionID: Int
        public var instance: Int
        public var align: UInt64
        public var targetNode: Int
        public var numaNode: Int
        public var ranges: [DaxMapping]
        public var driver: String?
        public var minor: Int

        public var size: UInt64 { ranges.reduce(0) { $0 + $1.size } }
        public var resource: UInt64 { ranges.first?.start ?? 0 }
    }

    public struct Block: Sendable {
        public var index: UInt64
        public var node: Int
        public var online: Bool
        public var zone: String
        public var removable: Bool
        /// Offlining fails with EBUSY (unmovable pages in the block).
        public var refusesOffline: Bool
        /// Boot memory, not hot-plugged by kmem.
        public var boot: Bool
    }

    /// A fault on writes to one path (as written or after resolving links).
    public struct Fault: Sendable {
        public enum Effect: Sendable {
            /// The write fails with this errno and changes nothing.
            case fail(Int32)
            /// The write succeeds but the kernel does nothing (a bind or unbind that does not take).
            case ignore
        }
        public var path: String
        public var effect: Effect
        /// How many writes it hits.
        public var remaining: Int
    }

    public private(set) var regions: [Int: Region] = [:]
    public private(set) var devices: [String: Device] = [:]
    public private(set) var blocks: [UInt64: Block] = [:]
    /// Drivers whose directory exists under `bus/dax/drivers`.
    public var drivers: Set<String> = [DaxDriver.deviceDax, DaxDriver.kmem, DaxDriver.fsdevDax] { didSet { dirty = true } }
    /// Modules `loadModule` can load (a driver becomes present).
    public var loadableModules: Set<String> = []
    public private(set) var idLists: [String: Set<String>] = [:]
    public var blockSize: UInt64 = 128 << 20 { didSet { dirty = true } }
    public var autoOnlineBlocks = "offline" { didSet { dirty = true } }
    /// `online`/`online_kernel` give zone Movable (a movable-node policy) instead of Normal.
    public var onlineDefaultsToMovable = false
    /// Device `resource` is 0400: false simulates a caller that is not root.
    public var resourceReadable = true { didSet { dirty = true } }
    /// Every write attempted, in order, with the errno it got (nil: success).
    public private(set) var writeLog: [(write: SysfsWrite, errno: Int32?)] = []
    /// Devices whose kmem was unbound while blocks were online: a bug in the tool under test.
    public private(set) var leakedOnlineMemory: [String] = []
    public private(set) var loadedModules: [String] = []
    /// Further read-only attributes by path (the nvdimm namespace a device sits on, …).
    public var attributes: [String: String] = [:] { didSet { dirty = true } }
    private var faults: [Fault] = []

    /// A process as `/proc/PID` shows it, for the busy-device guard.
    public struct Process: Sendable {
        public var command: String
        /// `fd/N` link targets, with the device number of a char device open there.
        public var descriptors: [Descriptor]
        /// `maps` lines as the kernel prints them.
        public var maps: [String]

        public init(command: String, descriptors: [Descriptor], maps: [String]) {
            self.command = command
            self.descriptors = descriptors
            self.maps = maps
        }
    }

    public struct Descriptor: Sendable {
        public var target: String
        public var device: DeviceNumber?

        public init(target: String, device: DeviceNumber?) {
            self.target = target
            self.device = device
        }
    }

    public var processes: [Int32: Process] = [:]
    /// `/proc/self/mountinfo` lines.
    public var mountInfo: [String] = []

    private enum Node {
        case directory
        case file(String, readable: Bool)
        case link(String)
    }
    private var tree: [String: Node] = [:]
    private var children: [String: [String]] = [:]
    private var dirty = true

    public init() {}

    // MARK: building a machine

    /// Adds a region. `path` is its directory relative to the root (e.g.
    /// `devices/platform/hmem.0`).
    public func addRegion(id: Int, path: String, size: UInt64, align: UInt64 = 2 << 20, base: UInt64, dynamic: Bool, kmemByType: Bool = false) {
        regions[id] = Region(id: id, path: path, size: size, align: align, dynamic: dynamic, kmemByType: kmemByType, base: base)
        dirty = true
    }

    /// Adds a device at the next free address of its region (or at `offset` from its base)
    /// and binds `driver`; binding kmem hot-plugs its blocks per the auto-online policy.
    @discardableResult
    public func addDevice(region id: Int, instance: Int, size: UInt64, offset: UInt64? = nil, targetNode: Int = 1, driver: String? = DaxDriver.deviceDax) -> String {
        let region = regions[id]!
        let name = "dax\(id).\(instance)"
        var device = Device(name: name, regionID: id, instance: instance, align: region.align, targetNode: targetNode,
                            numaNode: 0, ranges: [], driver: nil, minor: devices.count)
        if size > 0 {
            let start = region.base + (offset ?? nextFree(in: id))
            device.ranges = [DaxMapping(start: start, end: start + size - 1, pageOffset: 0)]
        }
        devices[name] = device
        if let driver { attach(name, driver) }
        dirty = true
        return name
    }

    /// Adds `count` online boot-memory blocks on `node` starting at block `first`.
    public func addBootMemory(node: Int, first: UInt64, count: UInt64) {
        for index in first..<first + count {
            blocks[index] = Block(index: index, node: node, online: true, zone: "Normal", removable: true, refusesOffline: false, boot: true)
        }
        dirty = true
    }

    /// Changes a memory block directly (the state a machine booted with, or a fault).
    public func setBlock(_ name: String, online: Bool? = nil, zone: String? = nil, removable: Bool? = nil, refusesOffline: Bool? = nil) {
        guard let index = UInt64(name.dropFirst("memory".count)), var block = blocks[index] else { return }
        if let online { block.online = online }
        if let zone { block.zone = zone }
        if let removable { block.removable = removable }
        if let refusesOffline { block.refusesOffline = refusesOffline }
        blocks[index] = block
        dirty = true
    }

    /// Makes the next `times` writes to `path` fail with `errno` (or not take, for `.ignore`).
    public func inject(_ effect: Fault.Effect, at path: String, times: Int = 1) {
        faults.append(Fault(path: path, effect: effect, remaining: times))
    }

    /// The blocks of a device (hot-plugged by kmem), sorted by index.
    public func blocks(of name: String) -> [Block] {
        guard let device = devices[name] else { return [] }
        return blocks.values.filter { !$0.boot && covered(by: device).contains($0.index) }.sorted { $0.index < $1.index }
    }

    public func driver(of name: String) -> String? { devices[name]?.driver }

    // MARK: Sysfs

    /// The simulated kernel stands for the host's `/sys`.
    public var root: String { "/sys" }

    public func read(_ path: String) throws(SysfsError) -> String {
        guard let canonical = canonical(path), let node = tree[canonical] else { throw SysfsError(path: path, errno: ENOENT, operation: .read) }
        switch node {
        case .file(let content, let readable):
            guard readable else { throw SysfsError(path: path, errno: EACCES, operation: .read) }
            return content
        case .directory, .link:
            throw SysfsError(path: path, errno: EINVAL, operation: .read)
        }
    }

    public func readLink(_ path: String) -> String? {
        let parent = SysfsPath.parent(path)
        guard let directory = parent.isEmpty ? "" : canonical(parent) else { return nil }
        render()
        let key = directory.isEmpty ? SysfsPath.basename(path) : directory + "/" + SysfsPath.basename(path)
        guard case .link(let target)? = tree[key] else { return nil }
        return target
    }

    public func list(_ path: String) -> [String] {
        guard let canonical = canonical(path) else { return [] }
        return children[canonical] ?? []
    }

    public func exists(_ path: String) -> Bool {
        guard let canonical = canonical(path) else { return false }
        return tree[canonical] != nil
    }

    public func loadModule(_ name: String) throws(SysfsError) {
        loadedModules.append(name)
        if loadableModules.contains(name) { drivers.insert(name) }
    }

    public func write(_ path: String, _ value: String) throws(SysfsError) {
        let entry = SysfsWrite(path: path, value: value)
        do throws(SysfsError) {
            try dispatch(path, value.trimmingCharacters(in: .whitespacesAndNewlines))
            writeLog.append((entry, nil))
        } catch {
            writeLog.append((entry, error.errno))
            throw error
        }
    }

    // MARK: processes and mounts (Procfs)

    /// The device number of a device's char node (sysfs `dev`).
    public func number(of name: String) -> DeviceNumber? {
        devices[name].map { DeviceNumber(major: 252, minor: UInt32($0.minor)) }
    }

    /// Process `pid` opens `/dev/NAME` (or `path`, a node of the same device elsewhere).
    public func holdOpen(_ name: String, pid: Int32, command: String, path: String? = nil) {
        var process = processes[pid] ?? Process(command: command, descriptors: [], maps: [])
        process.descriptors.append(Descriptor(target: path ?? "/dev/\(name)", device: number(of: name)))
        processes[pid] = process
    }

    /// Process `pid` maps 2 MiB of `/dev/NAME` (as the kernel prints it: the node's
    /// devtmpfs inode); with `path`, a node elsewhere whose line carries the device number.
    public func holdMapped(_ name: String, pid: Int32, command: String, path: String? = nil) {
        var process = processes[pid] ?? Process(command: command, descriptors: [], maps: [])
        let dev = path == nil ? "00:05" : number(of: name).map { String(format: "%02x:%02x", $0.major, $0.minor) } ?? "00:00"
        process.maps += [
            "55d0c6a00000-55d0c6a21000 r-xp 00000000 fe:01 1835011                    /usr/bin/\(command)",
            "7f3a40000000-7f3a40200000 rw-s 00000000 \(dev) 512                        \(path ?? "/dev/\(name)")",
            "7ffd1b9e0000-7ffd1ba01000 rw-p 00000000 00:00 0                          [stack]",
        ]
        processes[pid] = process
    }

    /// A file system mounted from `/dev/NAME` on `mountPoint` (as mountinfo escapes it).
    public func mount(_ name: String, on mountPoint: String, type: String = "famfs") {
        let dev = number(of: name)?.description ?? "0:0"
        mountInfo.append("\(100 + mountInfo.count) 25 \(dev) / \(mountPoint) rw,relatime shared:1 - \(type) /dev/\(name) rw")
    }

    public func processIDs() -> [Int32] { Array(processes.keys) }

    public func command(of pid: Int32) -> String? { processes[pid]?.command }

    public func forEachDescriptor(of pid: Int32, wantsDevice: (String) -> Bool, _ body: (String, DeviceNumber?) -> Void) -> Bool {
        guard let process = processes[pid] else { return false }
        for descriptor in process.descriptors { body(descriptor.target, wantsDevice(descriptor.target) ? descriptor.device : nil) }
        return true
    }

    public func forEachMapping(of pid: Int32, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        guard let process = processes[pid] else { return .unreadable }
        return Self.lines(process.maps, limit: limit, body)
    }

    public func forEachMount(limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        Self.lines(mountInfo, limit: limit, body)
    }

    private static func lines(_ lines: [String], limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        var total = 0
        for var line in lines {
            total += line.utf8.count + 1
            if total > limit { return .truncated }
            line.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
        return .complete
    }

    // MARK: write handlers

    private func dispatch(_ path: String, _ value: String) throws(SysfsError) {
        func fail(_ errno: Int32) -> SysfsError { SysfsError(path: path, errno: errno, operation: .write) }
        guard let canonical = canonical(path), let node = tree[canonical] else { throw fail(ENOENT) }
        if let index = faults.firstIndex(where: { ($0.path == path || $0.path == canonical) && $0.remaining > 0 }) {
            faults[index].remaining -= 1
            switch faults[index].effect {
            case .fail(let errno): throw fail(errno)
            case .ignore: return
            }
        }
        let parts = canonical.split(separator: "/").map(String.init)
        let leaf = parts.last ?? ""
        defer { dirty = true }
        if parts.count == 5, parts[0] == "bus", parts[1] == "dax", parts[2] == "drivers" {
            let driver = parts[3]
            switch leaf {
            case "new_id":
                guard DaxDevice.parseName(value) != nil else { throw fail(EINVAL) }
                idLists[driver, default: []].insert(value)
                // The driver core attaches at once when the device is unbound and can bind.
                if let device = devices[value], device.driver == nil, device.size > 0 { try? bindChecked(value, driver, fail) }
            case "remove_id":
                idLists[driver]?.remove(value)
            case "bind":
                guard let device = devices[value] else { throw fail(ENODEV) }
                guard device.driver == nil else { throw fail(EBUSY) }
                try bindChecked(value, driver, fail)
            case "unbind":
                guard devices[value]?.driver == driver else { throw fail(ENODEV) }
                detach(value)
            default:
                throw fail(EACCES)
            }
            return
        }
        if parts.count == 5, parts[0] == "devices", parts[1] == "system", parts[2] == "memory", leaf == "state",
            let index = UInt64(parts[3].dropFirst("memory".count)), var block = blocks[index]
        {
            switch value {
            case "online_movable", "online", "online_kernel":
                if !block.online {
                    block.online = true
                    block.zone = value == "online_movable" || (value == "online" && onlineDefaultsToMovable) ? "Movable" : "Normal"
                }
            case "offline":
                if block.online {
                    guard block.removable, !block.refusesOffline else { throw fail(EBUSY) }
                    block.online = false
                }
            default:
                throw fail(EINVAL)
            }
            blocks[index] = block
            return
        }
        if canonical == "devices/system/memory/auto_online_blocks" {
            guard ["offline", "online", "online_kernel", "online_movable"].contains(value) else { throw fail(EINVAL) }
            autoOnlineBlocks = value
            return
        }
        if leaf == "create" || leaf == "delete", let region = regions.values.first(where: { canonical == "\($0.path)/dax_region/\(leaf)" }) {
            guard region.dynamic else { throw fail(EACCES) }
            if leaf == "create" {
                guard value == "1" else { throw fail(EINVAL) }
                let instance = (devices.values.filter { $0.regionID == region.id }.map(\.instance).max() ?? -1) + 1
                addDevice(region: region.id, instance: instance, size: 0, driver: nil)
            } else {
                guard let device = devices[value], device.regionID == region.id else { throw fail(ENODEV) }
                guard device.instance != 0, device.driver == nil, device.size == 0 else { throw fail(EBUSY) }
                devices[value] = nil
            }
            return
        }
        if let device = devices.values.first(where: { canonical == "\(devicePath($0))/\(leaf)" }), ["size", "align", "mapping"].contains(leaf) {
            let region = regions[device.regionID]!
            guard region.dynamic else { throw fail(EACCES) }
            guard device.driver == nil else { throw fail(EBUSY) }
            try resize(device.name, leaf, value, fail)
            return
        }
        if case .file = node { throw fail(EACCES) }
        throw fail(EISDIR)
    }

    private func bindChecked(_ name: String, _ driver: String, _ fail: (Int32) -> SysfsError) throws(SysfsError) {
        guard drivers.contains(driver), let device = devices[name] else { throw fail(ENODEV) }
        guard device.size > 0 else { throw fail(ENXIO) }
        let region = regions[device.regionID]!
        let byType = driver == (region.kmemByType ? DaxDriver.kmem : DaxDriver.deviceDax)
        guard idLists[driver]?.contains(name) == true || byType else { throw fail(ENODEV) }
        if driver == DaxDriver.kmem {
            guard device.targetNode >= 0, !covered(by: device).isEmpty else { throw fail(EINVAL) }
        }
        attach(name, driver)
    }

    /// Binds without checks; kmem hot-plugs the device's whole blocks, onlined per policy.
    private func attach(_ name: String, _ driver: String) {
        devices[name]!.driver = driver
        dirty = true
        guard driver == DaxDriver.kmem, let device = devices[name] else { return }
        let policy = autoOnlineBlocks
        for index in covered(by: device) where blocks[index] == nil {
            let online = policy.hasPrefix("online")
            let movable = policy == "online_movable" || (online && onlineDefaultsToMovable)
            blocks[index] = Block(index: index, node: device.targetNode, online: online, zone: online ? (movable ? "Movable" : "Normal") : "",
                                  removable: true, refusesOffline: false, boot: false)
        }
    }

    /// Unbinds; kmem removes the offline blocks. Online blocks cannot be removed: they stay
    /// (as in the kernel, until reboot) and the device is recorded in `leakedOnlineMemory`.
    private func detach(_ name: String) {
        guard let device = devices[name] else { return }
        if device.driver == DaxDriver.kmem {
            let mine = covered(by: device)
            if mine.contains(where: { blocks[$0]?.online == true }) { leakedOnlineMemory.append(name) }
            for index in mine where blocks[index]?.online == false { blocks[index] = nil }
        }
        devices[name]!.driver = nil
    }

    private func resize(_ name: String, _ attribute: String, _ value: String, _ fail: (Int32) -> SysfsError) throws(SysfsError) {
        var device = devices[name]!
        let region = regions[device.regionID]!
        switch attribute {
        case "align":
            guard let align = Self.number(value), align > 0, align & (align - 1) == 0 else { throw fail(EINVAL) }
            device.align = align
        case "size":
            guard let size = Self.number(value), size % device.align == 0 else { throw fail(EINVAL) }
            if size > 0 {
                let offset = nextFree(in: device.regionID, excluding: name)
                guard offset + size <= region.size else { throw fail(ENOSPC) }
                device.ranges = [DaxMapping(start: region.base + offset, end: region.base + offset + size - 1, pageOffset: 0)]
            } else {
                device.ranges = []
            }
        default:
            let bounds = value.split(separator: "-").map { Self.number(String($0)) }
            guard bounds.count == 2, let start = bounds[0], let end = bounds[1], end > start,
                start >= region.base, end < region.base + region.size
            else { throw fail(EINVAL) }
            let taken = devices.values.flatMap(\.ranges).contains { $0.start <= end && start <= $0.end }
            guard !taken else { throw fail(EBUSY) }
            device.ranges.append(DaxMapping(start: start, end: end, pageOffset: device.size / 4096))
        }
        devices[name] = device
    }

    /// The first byte offset after every allocated range of the region.
    private func nextFree(in region: Int, excluding name: String? = nil) -> UInt64 {
        let base = regions[region]!.base
        return devices.values.filter { $0.regionID == region && $0.name != name }.flatMap(\.ranges).map { $0.end + 1 - base }.max() ?? 0
    }

    /// Indexes of the whole memory blocks inside the device's range (what kmem hot-plugs).
    private func covered(by device: Device) -> Range<UInt64> {
        guard device.size > 0 else { return 0..<0 }
        let first = (device.resource + blockSize - 1) / blockSize
        let end = (device.resource + device.size) / blockSize
        return first..<max(first, end)
    }

    private static func number(_ text: String) -> UInt64? {
        text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    // MARK: rendering

    private func devicePath(_ device: Device) -> String { "\(regions[device.regionID]!.path)/\(device.name)" }

    /// Resolves links in every directory component (and in the last one).
    private func canonical(_ path: String) -> String? {
        render()
        var resolved = ""
        var pending = path.split(separator: "/").map(String.init)
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." { continue }
            if component == ".." {
                resolved = SysfsPath.parent(resolved)
                continue
            }
            let candidate = resolved.isEmpty ? component : resolved + "/" + component
            switch tree[candidate] {
            case .link(let target)?:
                hops += 1
                if hops > 40 { return nil }
                let absolute = SysfsPath.resolve(target, from: resolved)
                pending = absolute.split(separator: "/").map(String.init) + pending
                resolved = ""
            case nil:
                return nil
            default:
                resolved = candidate
            }
        }
        return resolved
    }

    private func render() {
        guard dirty else { return }
        dirty = false
        tree = [:]
        children = [:]
        func add(_ path: String, _ node: Node) {
            var parent = SysfsPath.parent(path)
            var child = SysfsPath.basename(path)
            if tree[path] == nil { children[parent, default: []].append(child) }
            tree[path] = node
            while !parent.isEmpty, tree[parent] == nil {
                tree[parent] = .directory
                child = SysfsPath.basename(parent)
                parent = SysfsPath.parent(parent)
                children[parent, default: []].append(child)
            }
        }
        func file(_ path: String, _ content: String, readable: Bool = true) { add(path, .file(content, readable: readable)) }
        func link(_ path: String, to target: String) {
            add(path, .link(SysfsPath.relative(from: SysfsPath.parent(path), to: target)))
        }
        add("bus/dax/devices", .directory)
        add("bus/dax/drivers", .directory)
        file("bus/dax/drivers_autoprobe", "1")
        for driver in drivers.sorted() {
            for control in ["bind", "unbind", "new_id", "remove_id"] { file("bus/dax/drivers/\(driver)/\(control)", "", readable: false) }
        }
        for (path, content) in attributes { file(path, content) }
        for region in regions.values {
            let attributes = "\(region.path)/dax_region"
            file("\(attributes)/id", String(region.id))
            file("\(attributes)/size", String(region.size))
            file("\(attributes)/align", String(region.align))
            if region.dynamic {
                let used = devices.values.filter { $0.regionID == region.id }.reduce(0) { $0 + $1.size }
                file("\(attributes)/available_size", String(region.size - used))
                let seed = devices.values.filter { $0.regionID == region.id && $0.size == 0 }.max { $0.instance < $1.instance }
                file("\(attributes)/seed", seed?.name ?? "")
                file("\(attributes)/create", seed?.name ?? "")
                file("\(attributes)/delete", "", readable: false)
            }
        }
        for device in devices.values {
            let path = devicePath(device)
            let region = regions[device.regionID]!
            link("bus/dax/devices/\(device.name)", to: path)
            file("\(path)/size", String(device.size))
            file("\(path)/align", String(device.align))
            if device.targetNode >= 0 { file("\(path)/target_node", String(device.targetNode)) }
            file("\(path)/numa_node", String(device.numaNode))
            file("\(path)/resource", "0x" + String(device.resource, radix: 16), readable: resourceReadable)
            file("\(path)/modalias", "dax:t0")
            file("\(path)/dev", number(of: device.name)?.description ?? "")
            if let number = number(of: device.name) { link("dev/char/\(number)", to: path) }
            link("\(path)/subsystem", to: "bus/dax")
            if region.dynamic { file("\(path)/mapping", "", readable: false) }
            for (index, range) in device.ranges.enumerated() {
                file("\(path)/mapping\(index)/start", "0x" + String(range.start, radix: 16))
                file("\(path)/mapping\(index)/end", "0x" + String(range.end, radix: 16))
                file("\(path)/mapping\(index)/page_offset", "0x" + String(range.pageOffset, radix: 16))
            }
            if let driver = device.driver {
                link("\(path)/driver", to: "bus/dax/drivers/\(driver)")
                link("bus/dax/drivers/\(driver)/\(device.name)", to: path)
            }
        }
        file("devices/system/memory/block_size_bytes", String(blockSize, radix: 16))
        file("devices/system/memory/auto_online_blocks", autoOnlineBlocks)
        for block in blocks.values {
            let name = "memory\(block.index)"
            let directory = "devices/system/memory/\(name)"
            let hex = String(block.index, radix: 16)
            file("\(directory)/phys_index", String(repeating: "0", count: max(0, 8 - hex.count)) + hex)
            file("\(directory)/state", block.online ? "online" : "offline")
            file("\(directory)/valid_zones", block.online ? block.zone : "Normal Movable")
            file("\(directory)/removable", block.removable ? "1" : "0")
            link("\(directory)/node\(block.node)", to: "devices/system/node/node\(block.node)")
            link("devices/system/node/node\(block.node)/\(name)", to: directory)
        }
    }

    // MARK: a tree on disk

    /// Writes the processes and mounts under `directory` as a `/proc` tree: `PID/comm`,
    /// `PID/fd/N` symlinks, `PID/maps`, `self/mountinfo`.
    public func materializeProc(at directory: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory.appendingPathComponent("self"), withIntermediateDirectories: true)
        try Data(mountInfo.map { $0 + "\n" }.joined().utf8).write(to: directory.appendingPathComponent("self/mountinfo"))
        for (pid, process) in processes {
            let base = directory.appendingPathComponent(String(pid))
            try manager.createDirectory(at: base.appendingPathComponent("fd"), withIntermediateDirectories: true)
            try Data((process.command + "\n").utf8).write(to: base.appendingPathComponent("comm"))
            try Data(process.maps.map { $0 + "\n" }.joined().utf8).write(to: base.appendingPathComponent("maps"))
            for (index, descriptor) in process.descriptors.enumerated() {
                try manager.createSymbolicLink(atPath: base.appendingPathComponent("fd/\(index + 3)").path, withDestinationPath: descriptor.target)
            }
        }
    }

    /// Writes the current tree under `directory` (files, directories, relative symlinks), as
    /// a captured `/sys` for `famctl --sysfs-root`.
    public func materialize(at directory: URL) throws {
        render()
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for (path, node) in tree.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(path)
            switch node {
            case .directory:
                try manager.createDirectory(at: url, withIntermediateDirectories: true)
            case .file(let content, _):
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data((content + "\n").utf8).write(to: url)
            case .link(let target):
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.createSymbolicLink(atPath: url.path, withDestinationPath: target)
            }
        }
    }
}
