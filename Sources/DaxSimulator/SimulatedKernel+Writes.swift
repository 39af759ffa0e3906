// SPDX-License-Identifier: Apache-2.0
import Glibc
import DaxKit

/// What the kernel does on a write: the driver core (`new_id`, `remove_id`, `bind`, `unbind`),
/// memory hotplug (`memoryN/state`, `auto_online_blocks`), dynamic regions (`create`, `delete`,
/// device `size`, `align`, `mapping`), and the faults `inject` arranged.
extension SimulatedKernel {
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

    func dispatch(_ path: String, _ value: String) throws(SysfsError) {
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

    func bindChecked(_ name: String, _ driver: String, _ fail: (Int32) -> SysfsError) throws(SysfsError) {
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
    func attach(_ name: String, _ driver: String) {
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
    func detach(_ name: String) {
        guard let device = devices[name] else { return }
        if device.driver == DaxDriver.kmem {
            let mine = covered(by: device)
            if mine.contains(where: { blocks[$0]?.online == true }) { leakedOnlineMemory.append(name) }
            for index in mine where blocks[index]?.online == false { blocks[index] = nil }
        }
        devices[name]!.driver = nil
    }

    func resize(_ name: String, _ attribute: String, _ value: String, _ fail: (Int32) -> SysfsError) throws(SysfsError) {
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
    func nextFree(in region: Int, excluding name: String? = nil) -> UInt64 {
        let base = regions[region]!.base
        return devices.values.filter { $0.regionID == region && $0.name != name }.flatMap(\.ranges).map { $0.end + 1 - base }.max() ?? 0
    }

    /// Indexes of the whole memory blocks inside the device's range (what kmem hot-plugs).
    func covered(by device: Device) -> Range<UInt64> {
        guard device.size > 0 else { return 0..<0 }
        let first = (device.resource + blockSize - 1) / blockSize
        let end = (device.resource + device.size) / blockSize
        return first..<max(first, end)
    }

    static func number(_ text: String) -> UInt64? {
        text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }
}
