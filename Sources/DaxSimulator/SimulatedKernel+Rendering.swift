// SPDX-License-Identifier: Apache-2.0
import DaxKit

/// The sysfs tree rendered from the model with the kernel's layout, and path resolution in it.
extension SimulatedKernel {
    enum Node {
        case directory
        case file(String, readable: Bool)
        case link(String)
    }

    func devicePath(_ device: Device) -> String { "\(regions[device.regionID]!.path)/\(device.name)" }

    /// Resolves links in every directory component (and in the last one).
    func canonical(_ path: String) -> String? {
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

    func render() {
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
}
