// SPDX-License-Identifier: Apache-2.0
/// Something that keeps a dax device busy: unbinding its driver then corrupts the kernel (a
/// refcount underflow at the holder's close, SIGBUS and a later `kernel BUG` for a mapping;
/// docs/kernel-7.2-fsdev.md, "Busy devices"), and neither the kernel nor daxctl refuses.
public struct DeviceHolder: Sendable, Equatable, CustomStringConvertible {
    public enum Use: Sendable, Equatable {
        /// A `/proc/PID/maps` line names the device node or carries its device number.
        case mapped
        /// A `/proc/PID/fd/N` links to the device node.
        case open
        /// A `/proc/PID/maps` longer than `BusyGuard.mapsLimit`: the rest was not checked.
        case uncheckedMaps
        /// `/proc/self/mountinfo` has a file system mounted from the device.
        case mounted
    }

    public var use: Use
    /// The process (nil for a mount).
    public var pid: Int32?
    public var command: String
    /// The node as the holder names it, or the mount point.
    public var path: String

    public init(use: Use, pid: Int32?, command: String = "", path: String) {
        self.use = use
        self.pid = pid
        self.command = command
        self.path = path
    }

    public var description: String {
        let process = "pid \(pid.map(String.init) ?? "?") (\(command))"
        switch use {
        case .mapped: return "\(process) has \(path) mapped"
        case .open: return "\(process) has \(path) open"
        case .uncheckedMaps: return "\(process) has maps longer than \(BusyGuard.mapsLimit >> 20) MiB, not all checked"
        case .mounted: return "mounted on \(path)"
        }
    }
}

/// Finds what holds a dax device (docs/kernel-7.2-fsdev.md, "Busy devices"): processes with
/// `/dev/daxX.Y` open (`/proc/*/fd`) or mapped (`/proc/*/maps`, by path or by device number), and file
/// systems mounted from it (`/proc/self/mountinfo`). Every `/proc` table goes through
/// `procfs`, so the host, a tree on disk and the simulated kernel share this parsing.
public final class BusyGuard {
    public let procfs: Procfs

    /// Bytes of one process's maps that are read: above the kernel's worst case at the default
    /// `vm.max_map_count` (65530 lines of at most PATH_MAX + 100 bytes is 275 MB).
    public static let mapsLimit = 256 << 20
    /// Bytes of mountinfo that are read.
    public static let mountsLimit = 16 << 20

    public init(procfs: Procfs) { self.procfs = procfs }

    /// Holders of `node` (the path processes name, `/dev/daxX.Y`) whose device number is
    /// `number` (sysfs `dev`; nil when unknown: matched by path only). Ordered by pid, the
    /// mounts last. `unreadable` counts the processes whose tables could not be read.
    public func holders(of node: String, number: DeviceNumber?) -> (holders: [DeviceHolder], unreadable: Int) {
        let path = Array(node.utf8)
        let deleted = path + Array(" (deleted)".utf8)
        var found: [DeviceHolder] = []
        var unreadable = 0
        for pid in procfs.processIDs().sorted() {
            // The threads to read: the process's own tables, or those of the threads that
            // outlived its first one. They share one address space (so the first one's maps
            // are all of it), but each may have a descriptor table of its own.
            let threads: [Int32?]
            switch procfs.tables(of: pid) {
            case .none: continue
            case .process: threads = [nil]
            case .threads(let live): threads = live
            }
            var uses: [(DeviceHolder.Use, String)] = []
            var blind = false
            switch procfs.forEachMapping(of: pid, thread: threads[0], limit: Self.mapsLimit, { line in
                if uses.isEmpty, let named = Self.mapping(line, path: path, deleted: deleted, number: number) { uses.append((.mapped, named)) }
            }) {
            case .complete: break
            case .unreadable: blind = true
            case .truncated: if uses.isEmpty { uses.append((.uncheckedMaps, node)) }
            }
            var open: String?
            for thread in threads where open == nil {
                let readable = procfs.forEachDescriptor(of: pid, thread: thread, wantsDevice: { $0.hasPrefix("/dev/") }) { target, device in
                    guard open == nil else { return }
                    let bytes = Array(target.utf8)
                    if bytes == path || bytes == deleted || (number != nil && device == number) { open = target }
                }
                blind = blind || !readable
            }
            if blind { unreadable += 1 }
            if let open { uses.append((.open, open)) }
            guard !uses.isEmpty else { continue }
            let command = Self.printable(Array((procfs.command(of: pid) ?? "?").utf8))
            found += uses.map { DeviceHolder(use: $0.0, pid: pid, command: command, path: Self.printable(Array($0.1.utf8))) }
        }
        _ = procfs.forEachMount(limit: Self.mountsLimit) { line in
            if let mountPoint = Self.mountPoint(line, path: path, number: number) {
                found.append(DeviceHolder(use: .mounted, pid: nil, path: mountPoint))
            }
        }
        return (found, unreadable)
    }

    /// The path a maps line names when it maps the device: `START-END PERMS OFFSET DEV INODE
    /// PATH`, DEV in hexadecimal.
    static func mapping(_ line: UnsafeRawBufferPointer, path: [UInt8], deleted: [UInt8], number: DeviceNumber?) -> String? {
        // Field by field without allocating: maps of a large host run to millions of lines.
        var index = 0
        var device = 0..<0
        for field in 0..<5 {
            while index < line.count && line[index] == 0x20 { index += 1 }
            let start = index
            while index < line.count && line[index] != 0x20 { index += 1 }
            guard index > start else { return nil }
            if field == 3 { device = start..<index }
        }
        while index < line.count && line[index] == 0x20 { index += 1 }
        let name = line[index...]
        if name.elementsEqual(path) || name.elementsEqual(deleted) { return String(decoding: name, as: UTF8.self) }
        guard let number, DeviceNumber(line[device], radix: 16) == number else { return nil }
        return name.isEmpty ? "device \(number)" : String(decoding: name, as: UTF8.self)
    }

    /// The mount point of a mountinfo line whose file system comes from the device: `ID
    /// PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL…] - TYPE SOURCE SUPEROPTIONS`.
    static func mountPoint(_ line: UnsafeRawBufferPointer, path: [UInt8], number: DeviceNumber?) -> String? {
        let fields = line.split(separator: 0x20)
        guard fields.count >= 10, let dash = fields.firstIndex(where: { $0.elementsEqual([0x2D]) }), dash >= 6,
            dash + 2 < fields.count
        else { return nil }
        let source = unescape(fields[dash + 2])
        guard source == path || (number != nil && DeviceNumber(fields[2], radix: 10) == number) else { return nil }
        return printable(unescape(fields[4]))
    }

    /// mountinfo's octal escapes (`\040` for a space) decoded.
    static func unescape(_ field: Slice<UnsafeRawBufferPointer>) -> [UInt8] {
        var out: [UInt8] = []
        var index = field.startIndex
        while index < field.endIndex {
            let rest = field[index...].prefix(4)
            if field[index] == 0x5C, rest.count == 4, rest.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
                out.append(rest.dropFirst().reduce(UInt8(0)) { $0 &* 8 &+ ($1 - 0x30) })
                index += 4
            } else {
                out.append(field[index])
                index += 1
            }
        }
        return out
    }

    /// Text from a hostile table, safe to print: control bytes become `?`.
    static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }
}
