// SPDX-License-Identifier: Apache-2.0
/// One physical range of a device (`mappingN/{start,end,page_offset}`).
public struct DaxMapping: Sendable, Equatable {
    public var start: UInt64
    public var end: UInt64
    public var pageOffset: UInt64

    public init(start: UInt64, end: UInt64, pageOffset: UInt64) {
        self.start = start
        self.end = end
        self.pageOffset = pageOffset
    }

    public var size: UInt64 { end &- start &+ 1 }
}

/// One hot-plugged memory block of a system-ram device (`devices/system/memory/memoryN`).
public struct MemoryBlock: Sendable, Equatable {
    /// `memoryN`.
    public var name: String
    public var online: Bool
    /// `valid_zones`: the zone of an online block, the candidates of an offline one.
    public var zones: String

    public init(name: String, online: Bool, zones: String) {
        self.name = name
        self.online = online
        self.zones = zones
    }

    /// Path of the block's `state` attribute.
    public var statePath: String { "devices/system/memory/\(name)/state" }
    public var isMovable: Bool { zones == "Movable" }
}

/// The memory blocks of a system-ram device.
public struct DeviceMemory: Sendable, Equatable {
    public var blocks: [MemoryBlock]

    public init(blocks: [MemoryBlock]) { self.blocks = blocks }

    public var total: Int { blocks.count }
    public var online: Int { blocks.reduce(0) { $0 + ($1.online ? 1 : 0) } }
    /// daxctl's `movable`: known only when every block is online.
    public var movable: Bool? {
        guard total > 0, online == total else { return nil }
        return blocks.allSatisfy(\.isMovable)
    }
}

/// What the `driver` link says about a device.
public enum DeviceState: Sendable, Equatable {
    case bound(DaxMode)
    case unbound
    case unknownDriver(String)

    public init(driver: String?) {
        guard let driver else { self = .unbound; return }
        if let mode = DaxMode(driver: driver) { self = .bound(mode) } else { self = .unknownDriver(driver) }
    }

    public var mode: DaxMode? {
        if case .bound(let mode) = self { return mode }
        return nil
    }

    public var driver: String? {
        switch self {
        case .bound(let mode): return mode.driver
        case .unbound: return nil
        case .unknownDriver(let name): return name
        }
    }

    /// How messages name the state: the mode, "disabled" or the foreign driver.
    public var label: String {
        switch self {
        case .bound(let mode): return mode.rawValue
        case .unbound: return DaxMode.name(ofDriver: nil)
        case .unknownDriver(let name): return "bound to driver \(name)"
        }
    }
}

/// A dax device as discovered: what `list` prints and what switching starts from.
public struct DaxDevice: Sendable, Equatable {
    /// `daxX.Y`.
    public var name: String
    public var regionID: Int
    public var instance: Int
    /// The device directory relative to the sysfs root (`devices/platform/hmem.0/dax0.0`).
    public var path: String
    public var size: UInt64
    public var align: UInt64?
    public var targetNode: Int?
    /// Physical start; root-only on a real host, read only when needed.
    public var resource: UInt64?
    public var state: DeviceState
    /// Blocks, for system-ram devices whose `resource` and `target_node` are known.
    public var memory: DeviceMemory?
    /// Read only when asked for (`list -M`).
    public var mappings: [DaxMapping]?
    /// The legacy dax-class model (`/sys/class/dax`): listed, never changed.
    public var isDaxClass: Bool

    public init(
        name: String, regionID: Int, instance: Int, path: String, size: UInt64, align: UInt64? = nil,
        targetNode: Int? = nil, resource: UInt64? = nil, state: DeviceState, memory: DeviceMemory? = nil,
        mappings: [DaxMapping]? = nil, isDaxClass: Bool = false
    ) {
        self.name = name
        self.regionID = regionID
        self.instance = instance
        self.path = path
        self.size = size
        self.align = align
        self.targetNode = targetNode
        self.resource = resource
        self.state = state
        self.memory = memory
        self.mappings = mappings
        self.isDaxClass = isDaxClass
    }

    /// Parses `daxX.Y` into (X, Y).
    public static func parseName(_ name: String) -> (region: Int, instance: Int)? {
        // On the UTF-8 bytes: this runs for every entry of the dax bus.
        let bytes = Substring(name).utf8
        guard bytes.starts(with: "dax".utf8) else { return nil }
        let numbers = bytes.dropFirst(3).split(separator: UInt8(ascii: "."), maxSplits: 2, omittingEmptySubsequences: false)
        guard numbers.count == 2, let region = ASCIINumber.value(numbers[0], radix: 10).flatMap(Int.init(exactly:)),
            let instance = ASCIINumber.value(numbers[1], radix: 10).flatMap(Int.init(exactly:))
        else { return nil }
        return (region, instance)
    }

}

/// A dax region with the devices that passed the filter.
public struct DaxRegion: Sendable, Equatable {
    public var id: Int
    /// The region directory (the parent of its device directories), relative to the root.
    public var path: String
    public var size: UInt64?
    /// Present on dynamic regions (hmem, CXL): they can create and destroy devices.
    public var availableSize: UInt64?
    public var align: UInt64?
    public var devices: [DaxDevice]

    public init(id: Int, path: String, size: UInt64?, availableSize: UInt64?, align: UInt64?, devices: [DaxDevice]) {
        self.id = id
        self.path = path
        self.size = size
        self.availableSize = availableSize
        self.align = align
        self.devices = devices
    }
}
