// SPDX-License-Identifier: Apache-2.0
/// Finds regions, devices and memory blocks the way libdaxctl does, through `Sysfs`.
///
/// Every attribute is read at most once per discovery: memory-block facts shared by several
/// devices on one NUMA node (the node listing) are cached.
public final class DaxDiscovery {
    public let sysfs: Sysfs
    /// Read each device's `mappingN` directories (`list -M`).
    public var readMappings: Bool

    private var blockSize: UInt64??
    /// The memory blocks of each node listed so far. An array, not a dictionary by node, and
    /// structs, not tuples: a machine has a few nodes, and a dictionary's storage and a tuple's
    /// metadata are made at run time (cold code a `list` pays for at every start).
    private var nodeBlocks: [NodeBlocks] = []

    private struct NodeBlocks {
        var node: Int
        var blocks: [NodeBlock]
    }

    /// A `memoryN` entry of a node and the block's start address.
    private struct NodeBlock {
        var name: String
        var start: UInt64
    }

    public init(sysfs: Sysfs, readMappings: Bool = false) {
        self.sysfs = sysfs
        self.readMappings = readMappings
    }

    static let busDevices = "bus/dax/devices"
    static let classDevices = "class/dax"

    /// Every region with its devices, sorted by region id then instance (numerically).
    /// `include` filters device names before any attribute is read.
    public func regions(include: (String) -> Bool = { _ in true }) -> [DaxRegion] {
        // An array, not a dictionary by path: a machine has a few regions, and the metadata of
        // a [String: DaxRegion]'s storage cost 0.25 M instructions at every start.
        var regions: [DaxRegion] = []
        for link in deviceLinks(include) {
            guard let numbers = DaxDevice.parseName(link.name),
                let device = readDevice(name: link.name, numbers: numbers, path: link.path, daxClass: link.daxClass)
            else { continue }
            let regionPath = SysfsPath.parent(link.path)
            if let index = regions.firstIndex(where: { $0.path == regionPath }) {
                regions[index].devices.append(device)
            } else {
                var region = readRegion(id: numbers.region, path: regionPath)
                region.devices.append(device)
                regions.append(region)
            }
        }
        for index in regions.indices {
            regions[index].devices.sort { $0.instance < $1.instance }
        }
        return regions.sorted { ($0.id, $0.path) < ($1.id, $1.path) }
    }

    /// Re-reads one device (after a switch), or nil when it is gone.
    public func device(_ name: String, at path: String, daxClass: Bool = false) -> DaxDevice? {
        guard let numbers = DaxDevice.parseName(name) else { return nil }
        return readDevice(name: name, numbers: numbers, path: path, daxClass: daxClass)
    }

    /// An entry on the dax bus (or in the legacy dax class): its name, its device directory
    /// (relative to the root) and which of the two it is in. (A struct, not a tuple: the
    /// metadata of an array of tuples is made at run time.)
    private struct DeviceLink {
        var name: String
        var path: String
        var daxClass: Bool
    }

    /// Every entry on the dax bus, or in the legacy dax class when the bus does not exist.
    private func deviceLinks(_ include: (String) -> Bool) -> [DeviceLink] {
        var result: [DeviceLink] = []
        let busNames = sysfs.list(Self.busDevices)
        let (directory, daxClass) = busNames.isEmpty ? (Self.classDevices, true) : (Self.busDevices, false)
        for name in busNames.isEmpty ? sysfs.list(Self.classDevices) : busNames where DaxDevice.parseName(name) != nil && include(name) {
            guard let target = sysfs.readLink("\(directory)/\(name)") else { continue }
            result.append(DeviceLink(name: name, path: SysfsPath.resolve(target, from: directory), daxClass: daxClass))
        }
        return result
    }

    private func readRegion(id: Int, path: String) -> DaxRegion {
        let attributes = "\(path)/dax_region"
        return DaxRegion(
            id: id, path: path,
            size: try? Self.number(sysfs.read("\(attributes)/size")),
            availableSize: try? Self.number(sysfs.read("\(attributes)/available_size")),
            align: try? Self.number(sysfs.read("\(attributes)/align")),
            devices: [])
    }

    private func readDevice(name: String, numbers: (region: Int, instance: Int), path: String, daxClass: Bool) -> DaxDevice? {
        guard let sizeText = try? sysfs.read("\(path)/size"), let size = Self.number(sizeText) else { return nil }
        var device = DaxDevice(
            name: name, regionID: numbers.region, instance: numbers.instance, path: path, size: size,
            align: try? Self.number(sysfs.read("\(path)/align")),
            state: .unbound, isDaxClass: daxClass)
        if let node = try? sysfs.read("\(path)/target_node"), let value = Int(node), value >= 0 {
            device.targetNode = value
        }
        device.state = daxClass ? .bound(.devdax) : DeviceState(driver: sysfs.readLink("\(path)/driver").map(SysfsPath.basename))
        if device.state == .bound(.systemRAM) {
            device.resource = try? Self.number(sysfs.read("\(path)/resource"))
            device.memory = memory(of: device)
        }
        if readMappings { device.mappings = mappings(at: path) }
        return device
    }

    private func mappings(at path: String) -> [DaxMapping] {
        let names = sysfs.list(path).compactMap { name -> Int? in
            guard name.hasPrefix("mapping"), let index = Int(name.dropFirst("mapping".count)) else { return nil }
            return index
        }.sorted()
        return names.compactMap { index in
            let directory = "\(path)/mapping\(index)"
            guard let start = try? Self.number(sysfs.read("\(directory)/start")),
                let end = try? Self.number(sysfs.read("\(directory)/end"))
            else { return nil }
            let offset = (try? Self.number(sysfs.read("\(directory)/page_offset"))) ?? 0
            return DaxMapping(start: start, end: end, pageOffset: offset)
        }
    }

    /// The device's memory blocks: the `memoryN` entries of its target node whose whole range
    /// lies inside [resource, resource + size − 1]. Nil when resource or node is unknown.
    public func memory(of device: DaxDevice) -> DeviceMemory? {
        guard let resource = device.resource, let node = device.targetNode, device.size > 0,
            let blockSize = memoryBlockSize(), blockSize > 0
        else { return nil }
        // A planted tree may hold any resource: a range past the top of memory has no blocks.
        let (last, overflow) = resource.addingReportingOverflow(device.size - 1)
        guard !overflow else { return DeviceMemory(blocks: []) }
        let blocks = blocksOnNode(node, blockSize: blockSize).filter { block in
            block.start >= resource && block.start <= last && last - block.start >= blockSize - 1
        }
        return DeviceMemory(blocks: blocks.map { block in
            let directory = "devices/system/memory/\(block.name)"
            let online = (try? sysfs.read("\(directory)/state"))?.hasPrefix("online") ?? false
            // The zone matters only for online blocks (daxctl's `movable`); skip the read otherwise.
            let zones = online ? ((try? sysfs.read("\(directory)/valid_zones")) ?? "") : ""
            return MemoryBlock(name: block.name, online: online, zones: zones)
        })
    }

    /// `block_size_bytes` (hex without `0x`), read once.
    public func memoryBlockSize() -> UInt64? {
        if let cached = blockSize { return cached }
        let value = (try? sysfs.read("devices/system/memory/block_size_bytes")).flatMap { UInt64($0, radix: 16) }
        blockSize = .some(value)
        return value
    }

    /// Forgets cached memory-block facts (blocks come and go when kmem binds and unbinds).
    public func forgetMemoryBlocks() { nodeBlocks = [] }

    /// The `memoryN` entries of a node with their start addresses. The kernel names each block
    /// device after its block id, which is also what `phys_index` prints (in hex): N × block
    /// size is the start, so no `phys_index` needs reading.
    private func blocksOnNode(_ node: Int, blockSize: UInt64) -> [NodeBlock] {
        if let cached = nodeBlocks.first(where: { $0.node == node }) { return cached.blocks }
        let blocks = sysfs.list("devices/system/node/node\(node)").compactMap { name -> NodeBlock? in
            let bytes = Substring(name).utf8
            guard bytes.starts(with: "memory".utf8), let index = ASCIINumber.value(bytes.dropFirst(6), radix: 10) else { return nil }
            // A planted name may hold any number: a block past the top of memory is none.
            let (start, overflow) = index.multipliedReportingOverflow(by: blockSize)
            return overflow ? nil : NodeBlock(name: name, start: start)
        }.sorted { $0.start < $1.start }
        nodeBlocks.append(NodeBlocks(node: node, blocks: blocks))
        return blocks
    }

    /// A decimal or `0x` hexadecimal attribute.
    static func number(_ text: String) -> UInt64? {
        // On the UTF-8 bytes: this runs for every attribute a listing reads.
        var bytes = Substring(text).utf8[...]
        while let first = bytes.first, isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        if bytes.starts(with: "0x".utf8) || bytes.starts(with: "0X".utf8) { return ASCIINumber.value(bytes.dropFirst(2), radix: 16) }
        return ASCIINumber.value(bytes, radix: 10)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte)
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
