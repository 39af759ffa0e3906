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
        /// The threads that live on after the first one exited (none: it is alive). `/proc/PID`
        /// then shows empty tables; each thread's `task/TID` shows the process's.
        public var survivingThreads: [Int32] = []

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

    /// The first thread of process `pid` exits; `threads` live on with its address space and
    /// descriptors (a program whose main thread called pthread_exit).
    public func exitFirstThread(of pid: Int32, leaving threads: [Int32]) {
        processes[pid]?.survivingThreads = threads
    }

    /// The process as `/proc/PID` (`thread` nil) or `/proc/PID/task/TID` shows it: tables
    /// empty where the thread has exited.
    private func view(_ pid: Int32, thread: Int32?) -> Process? {
        guard var process = processes[pid] else { return nil }
        if let thread {
            guard process.survivingThreads.contains(thread) else { return nil }
        } else if !process.survivingThreads.isEmpty {
            (process.descriptors, process.maps) = ([], [])
        }
        return process
    }

    public func forEachDescriptor(of pid: Int32, thread: Int32?, wantsDevice: (String) -> Bool,
                                  _ body: (String, DeviceNumber?) -> Void) -> Bool {
        guard let process = view(pid, thread: thread) else { return false }
        for descriptor in process.descriptors { body(descriptor.target, wantsDevice(descriptor.target) ? descriptor.device : nil) }
        return true
    }

    public func forEachMapping(of pid: Int32, thread: Int32?, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        guard let process = view(pid, thread: thread) else { return .unreadable }
        return Self.lines(process.maps, limit: limit, body)
    }

    public func forEachMount(limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        Self.lines(mountInfo, limit: limit, body)
    }

    /// Every simulated process is a user process (it exists to hold a device): its own
    /// tables, or its surviving threads'.
    public func tables(of pid: Int32) -> ProcessTables {
        guard let threads = processes[pid]?.survivingThreads, !threads.isEmpty else { return .process }
        return .threads(threads)
    }

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
