// SPDX-License-Identifier: Apache-2.0
import Glibc
import DaxKit

/// An in-memory stand-in for the kernel's dax bus and memory hotplug, seen through `Sysfs`.
///
/// The state is a model (regions, devices, drivers, memory blocks, the auto-online policy);
/// the sysfs tree is rendered from it with the real kernel's layout (docs/sysfs-layout.md) and writes
/// are dispatched to the handler the kernel would run (`drivers/D/new_id`, `bind`, `unbind`,
/// `remove_id`, `memoryN/state`, `dax_region/create|delete`, device `size|align|mapping`).
/// `inject` makes any write fail (or silently not take) for fault tests, and `materialize`
/// writes the rendered tree to disk for end-to-end tests of the binary.
public final class SimulatedKernel {
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

    public internal(set) var regions: [Int: Region] = [:]
    public internal(set) var devices: [String: Device] = [:]
    public internal(set) var blocks: [UInt64: Block] = [:]
    /// Drivers whose directory exists under `bus/dax/drivers`.
    public var drivers: Set<String> = [DaxDriver.deviceDax, DaxDriver.kmem, DaxDriver.fsdevDax] { didSet { dirty = true } }
    /// Modules `loadModule` can load (a driver becomes present).
    public var loadableModules: Set<String> = []
    public internal(set) var idLists: [String: Set<String>] = [:]
    public var blockSize: UInt64 = 128 << 20 { didSet { dirty = true } }
    public var autoOnlineBlocks = "offline" { didSet { dirty = true } }
    /// `online`/`online_kernel` give zone Movable (a movable-node policy) instead of Normal.
    public var onlineDefaultsToMovable = false
    /// Device `resource` is 0400: false simulates a caller that is not root.
    public var resourceReadable = true { didSet { dirty = true } }
    /// Every write attempted, in order, with the errno it got (nil: success).
    public internal(set) var writeLog: [(write: SysfsWrite, errno: Int32?)] = []
    /// Devices whose kmem was unbound while blocks were online: a bug in the tool under test.
    public internal(set) var leakedOnlineMemory: [String] = []
    public internal(set) var loadedModules: [String] = []
    /// Further read-only attributes by path (the nvdimm namespace a device sits on, …).
    public var attributes: [String: String] = [:] { didSet { dirty = true } }
    var faults: [Fault] = []

    public var processes: [Int32: Process] = [:]
    /// `/proc/self/mountinfo` lines.
    public var mountInfo: [String] = []

    /// The rendered sysfs tree (SimulatedKernel+Rendering.swift), redrawn when `dirty`.
    var tree: [String: Node] = [:]
    var children: [String: [String]] = [:]
    var dirty = true

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
}
