// SPDX-License-Identifier: Apache-2.0
import DaxKit
import Foundation

/// Processes and mounts, as `/proc` shows them to the busy-device guard.
extension SimulatedKernel: Procfs {
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

    /// Every simulated process is a user process: it exists to hold a device.
    public func hasNoAddressSpace(_ pid: Int32) -> Bool { false }

    static func lines(_ lines: [String], limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        var total = 0
        for var line in lines {
            total += line.utf8.count + 1
            if total > limit { return .truncated }
            line.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
        return .complete
    }
}
