// SPDX-License-Identifier: Apache-2.0
/// daxctl's list output: which keys, in which order, with which value types.
public enum DaxJSON {
    /// How sizes and addresses print: plain integers, or with `-u` human strings.
    public struct Format: Sendable, Equatable {
        public var human: Bool
        public var mappings: Bool

        public init(human: Bool = false, mappings: Bool = false) {
            self.human = human
            self.mappings = mappings
        }
    }

    /// A size: an integer, or with `-u` ndctl's `display_size` text (below 5000 KiB still the
    /// plain integer).
    public static func size(_ bytes: UInt64, _ format: Format) -> JSON {
        guard format.human else { return .integer(Int64(bitPattern: bytes)) }
        return humanSize(bytes).map(JSON.string) ?? .integer(Int64(bitPattern: bytes))
    }

    /// `"X.XX MiB (Y.YY MB)"`, GiB/GB from 2 GiB, TiB/TB from 2 TiB; nil below 5000 KiB.
    /// Each figure is rounded half up to hundredths, as mdadm's `human_size_brief` does.
    public static func humanSize(_ bytes: UInt64) -> String? {
        let units: (binary: UInt64, decimal: UInt64, names: (String, String))
        if bytes < 5000 * 1024 {
            return nil
        } else if bytes < 2 << 30 {
            units = (1 << 20, 1_000_000, ("MiB", "MB"))
        } else if bytes < 2 << 40 {
            units = (1 << 30, 1_000_000_000, ("GiB", "GB"))
        } else {
            units = (1 << 40, 1_000_000_000_000, ("TiB", "TB"))
        }
        let binary = centi(bytes, units.binary)
        let decimal = centi(bytes, units.decimal)
        return "\(hundredths(binary)) \(units.names.0) (\(hundredths(decimal)) \(units.names.1))"
    }

    /// round(bytes × 100 / unit), half up, without overflow.
    private static func centi(_ bytes: UInt64, _ unit: UInt64) -> UInt64 {
        let product = bytes.multipliedFullWidth(by: 200)
        let (quotient, _) = unit.dividingFullWidth((product.high, product.low))
        return (quotient + 1) / 2
    }

    private static func hundredths(_ value: UInt64) -> String {
        let fraction = value % 100
        return "\(value / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// An address: an integer, or with `-u` C's `%#llx` (which prints 0 as `"0"`).
    public static func hex(_ value: UInt64, _ format: Format) -> JSON {
        guard format.human else { return .integer(Int64(bitPattern: value)) }
        return .string(value == 0 ? "0" : "0x" + String(value, radix: 16))
    }

    /// A device object: daxctl's keys in daxctl's order, then famctl's `driver` for a driver
    /// it does not know.
    public static func device(_ device: DaxDevice, _ format: Format) -> JSON {
        var members: [(String, JSON)] = [
            ("chardev", .string(device.name)),
            ("size", size(device.size, format)),
        ]
        if let node = device.targetNode { members.append(("target_node", .integer(Int64(node)))) }
        if let align = device.align, align > 0 { members.append(("align", size(align, format))) }
        let mode: String
        switch device.state {
        case .bound(let bound): mode = bound.rawValue
        case .unbound: mode = DaxMode.devdax.rawValue
        case .unknownDriver: mode = "unknown"
        }
        members.append(("mode", .string(mode)))
        if let memory = device.memory {
            members.append(("online_memblocks", .integer(Int64(memory.online))))
            members.append(("total_memblocks", .integer(Int64(memory.total))))
            if let movable = memory.movable { members.append(("movable", .bool(movable))) }
        }
        if device.state == .unbound { members.append(("state", .string("disabled"))) }
        if format.mappings, let mappings = device.mappings {
            members.append(("mappings", .array(mappings.map { mapping in
                .object([
                    ("page_offset", hex(mapping.pageOffset, format)),
                    ("start", hex(mapping.start, format)),
                    ("end", hex(mapping.end, format)),
                    ("size", size(mapping.size, format)),
                ])
            })))
        }
        if case .unknownDriver(let driver) = device.state { members.append(("driver", .string(driver))) }
        return .object(members)
    }

    /// A region object; `devices` only when asked for and non-empty. The region's `align` is
    /// never human-formatted (daxctl prints it as a plain integer).
    public static func region(_ region: DaxRegion, devices: [DaxDevice]?, _ format: Format) -> JSON {
        let sysfsPath = region.path.hasPrefix("devices/") ? String(region.path.dropFirst("devices".count)) : "/" + region.path
        var members: [(String, JSON)] = [
            ("path", .string(sysfsPath)),
            ("id", .integer(Int64(region.id))),
        ]
        if let size = region.size { members.append(("size", self.size(size, format))) }
        if let available = region.availableSize, available > 0 {
            members.append(("available_size", self.size(available, format)))
        }
        if let align = region.align { members.append(("align", .integer(Int64(bitPattern: align)))) }
        if let devices, !devices.isEmpty {
            members.append(("devices", .array(devices.map { device($0, format) })))
        }
        return .object(members)
    }

    /// The top level as daxctl prints it: an array, except the bare object when `-u` is given
    /// and there is exactly one element. Nil when there is nothing to print.
    public static func document(_ elements: [JSON], human: Bool) -> String? {
        if elements.isEmpty { return nil }
        if human && elements.count == 1 { return elements[0].pretty() }
        return JSON.array(elements).pretty()
    }
}
