// SPDX-License-Identifier: Apache-2.0
extension DaxController {
    // MARK: online-memory / offline-memory

    /// Onlines the offline blocks of a system-ram device; all already online is success.
    public func onlineMemory(_ device: DaxDevice, movable: Bool) throws(DaxError) -> DeviceReport {
        try requireSystemRAM(device)
        let hotplug = memoryHotplug()
        var after = device
        after.memory = try perform(on: device.name) { () throws(StepFailure) in
            try hotplug.online(device, movable: movable, afterBind: false)
        } rollback: {
            hotplug.undoOnlining()
        }
        return DeviceReport(device: after, notes: hotplug.notes, changed: !hotplug.onlined.isEmpty)
    }

    /// Offlines the online blocks of a system-ram device; all already offline is success.
    public func offlineMemory(_ device: DaxDevice) throws(DaxError) -> DeviceReport {
        try requireSystemRAM(device)
        let hotplug = memoryHotplug()
        let memory = try hotplug.memory(of: device)
        let onlineBlocks = memory.blocks.filter(\.online)
        var after = device
        after.memory = DeviceMemory(blocks: memory.blocks.map { MemoryBlock(name: $0.name, online: false, zones: "") })
        if onlineBlocks.isEmpty {
            return DeviceReport(device: after, notes: ["\(device.name): all memory sections (\(memory.total)) already offline"], changed: false)
        }
        var notes: [String] = []
        if onlineBlocks.count < memory.total {
            notes.append("\(device.name): \(memory.total - onlineBlocks.count) memory section(s) already offline")
        }
        try hotplug.checkRemovable(device, onlineBlocks)
        try perform(on: device.name) { () throws(StepFailure) in
            try hotplug.offline(onlineBlocks)
        } rollback: {
            hotplug.undoOfflining()
        }
        return DeviceReport(device: after, notes: notes, changed: true)
    }

    func memoryHotplug() -> MemoryHotplug { MemoryHotplug(writer: writer, discovery: discovery) }
}

/// The memory blocks kmem hot-plugs for a system-ram device, onlined and offlined for one
/// operation: the checks before the first write, the `memoryN/state` writes with the zones
/// they land in, and the blocks changed so far, so that a failed operation can put them back.
final class MemoryHotplug {
    private let writer: SysfsWriter
    private let discovery: DaxDiscovery
    /// Blocks this operation onlined, in order.
    private(set) var onlined: [MemoryBlock] = []
    /// Blocks this operation offlined, in order (the highest first).
    private(set) var offlined: [MemoryBlock] = []
    /// Lines for stderr from onlining.
    private(set) var notes: [String] = []

    init(writer: SysfsWriter, discovery: DaxDiscovery) {
        self.writer = writer
        self.discovery = discovery
    }

    private var sysfs: Sysfs { writer.sysfs }
    private var dryRun: Bool { writer.dryRun }

    // MARK: checks (read-only)

    /// The device's physical address: known, or read from its `resource` (0400: nil for a
    /// caller that is not root).
    func resource(of device: DaxDevice) -> UInt64? {
        device.resource ?? (try? DaxDiscovery.number(sysfs.read("\(device.path)/resource"))) ?? nil
    }

    /// The device's blocks as sysfs shows them now.
    func memory(of device: DaxDevice) throws(DaxError) -> DeviceMemory {
        guard let memory = discovery.memory(of: device) else { throw .memoryUnknown(device: device.name) }
        return memory
    }

    /// Refuses when the kernel would online the blocks itself as kmem adds them.
    func checkAutoOnlinePolicy(_ device: DaxDevice) throws(DaxError) {
        let path = "devices/system/memory/auto_online_blocks"
        guard let policy = try? sysfs.read(path) else { return }
        if policy.hasPrefix("online") {
            throw .autoOnlinePolicy(device: device.name, policy: policy, path: SysfsPath.absolute(path, root: sysfs.root))
        }
    }

    /// kmem hot-plugs only whole memory blocks inside the device (pmem/ndctl#243).
    func checkWholeBlocks(_ device: DaxDevice) throws(DaxError) {
        guard let resource = resource(of: device), let (blocks, blockSize) = wholeBlocks(of: device, at: resource) else { return }
        if blocks.isEmpty { throw .noWholeMemoryBlock(device: device.name, size: device.size, blockSize: blockSize) }
    }

    func checkRemovable(_ device: DaxDevice, _ blocks: [MemoryBlock]) throws(DaxError) {
        for block in blocks where (try? sysfs.read("devices/system/memory/\(block.name)/removable")) == "0" {
            throw .blockNotRemovable(device: device.name, block: block.name)
        }
    }

    /// The indexes of the whole memory blocks in the device's range starting at `resource`
    /// (what kmem adds), and the block size; nil when the block size is unknown.
    private func wholeBlocks(of device: DaxDevice, at resource: UInt64) -> (Range<UInt64>, blockSize: UInt64)? {
        guard let blockSize = discovery.memoryBlockSize(), blockSize > 0 else { return nil }
        let first = resource / blockSize + (resource % blockSize == 0 ? 0 : 1)
        // A planted tree may hold any resource: a range that wraps past the top has no block.
        let (top, overflow) = resource.addingReportingOverflow(device.size)
        let end = overflow ? first : top / blockSize
        return (first..<max(first, end), blockSize)
    }

    // MARK: writes

    /// Offlines `blocks` (ascending) from the highest down. The movable zone hands out its
    /// lowest free pages first, so pages allocated since the memory came online (famctl's own
    /// among them) sit in the device's low blocks. Offlining bottom-up migrates them into the
    /// next block, again at every step; top-down empties the free blocks first and moves each
    /// page about once. In a TCG guest, 32 blocks: 750 ms bottom-up, 320 ms top-down (daxctl,
    /// in directory order: 390 ms).
    func offline(_ blocks: [MemoryBlock]) throws(StepFailure) {
        for block in blocks.reversed() {
            try writer.step(block.statePath, "offline")
            offlined.append(block)
        }
    }

    /// The device's blocks: found in sysfs, or for a dry run `afterBind` (kmem was not really
    /// bound), the ones kmem would add.
    func blocks(of device: DaxDevice, afterBind: Bool) throws(StepFailure) -> DeviceMemory {
        var device = device
        if device.resource == nil { device.resource = resource(of: device) }
        discovery.forgetMemoryBlocks()
        if dryRun && afterBind {
            guard let resource = device.resource, let (blocks, _) = wholeBlocks(of: device, at: resource) else {
                throw .refused(.memoryUnknown(device: device.name))
            }
            return DeviceMemory(blocks: blocks.map { MemoryBlock(name: "memory\($0)", online: false, zones: "") })
        }
        guard let found = discovery.memory(of: device) else { throw .refused(.memoryUnknown(device: device.name)) }
        return found
    }

    /// Finds the device's blocks (`afterBind`: kmem has just added them) and onlines the
    /// offline ones, in the movable zone or where the kernel puts them. Returns the blocks
    /// as they are afterwards.
    func online(_ device: DaxDevice, movable: Bool, afterBind: Bool) throws(StepFailure) -> DeviceMemory {
        let memory = try blocks(of: device, afterBind: afterBind)
        let offlineBlocks = memory.blocks.filter { !$0.online }
        let alreadyOnline = memory.total - offlineBlocks.count
        if alreadyOnline > 0 && afterBind {
            notes.append("""
                \(device.name):
                  WARNING: detected a race while onlining memory
                  Some memory may not be in the expected zone. It is
                  recommended to disable any other onlining mechanisms,
                  and retry. If onlining is to be left to other agents,
                  use the --no-online option to suppress this warning
                """)
        }
        if offlineBlocks.isEmpty {
            notes.append("\(device.name): all memory sections (\(memory.total)) already online")
            return memory
        } else if alreadyOnline > 0 {
            notes.append("\(device.name): \(alreadyOnline) memory section(s) already online")
        }
        let request = movable ? "online_movable" : "online"
        for block in offlineBlocks {
            try writer.step(block.statePath, request)
            onlined.append(block)
        }
        let expected = movable ? "Movable" : "Normal"
        var blocks = memory.blocks
        for index in blocks.indices where !blocks[index].online {
            blocks[index].online = true
            blocks[index].zones = dryRun ? expected : ((try? sysfs.read("devices/system/memory/\(blocks[index].name)/valid_zones")) ?? "")
            if blocks[index].zones != expected {
                notes.append("\(device.name): \(blocks[index].name) came online in zone \(blocks[index].zones), not \(expected); "
                    + "see 'man daxctl-reconfigure-device'")
            }
        }
        return DeviceMemory(blocks: blocks)
    }

    // MARK: rollback

    /// Offlines again, newest first, as many of the blocks this operation onlined as will go;
    /// says how far that got.
    func undoOnlining() -> String {
        var undone = 0
        for block in onlined.reversed() where (try? writer.write(block.statePath, "offline")) != nil { undone += 1 }
        return undone == onlined.count
            ? "the \(onlined.count) block(s) onlined before the failure were offlined again"
            : "\(onlined.count - undone) block(s) onlined before the failure stay online"
    }

    /// Offlines again, newest first, the blocks this operation onlined, so that kmem can be
    /// unbound; stops at the first that stays online (unbinding would leave it behind) and
    /// returns it.
    func offlineOnlinedForUnbind() -> MemoryBlock? {
        for block in onlined.reversed() where (try? writer.write(block.statePath, "offline")) == nil { return block }
        return nil
    }

    /// Onlines again, in their old zones, the blocks this operation offlined; says how far
    /// that got.
    func undoOfflining() -> String {
        var failed: [String] = []
        for block in offlined.reversed() {
            if (try? writer.write(block.statePath, block.isMovable ? "online_movable" : "online_kernel")) == nil { failed.append(block.name) }
        }
        if failed.isEmpty {
            return offlined.isEmpty ? "no memory block was changed" : "the \(offlined.count) block(s) offlined before the failure were onlined again"
        }
        return "\(failed.count) block(s) stay offline: \(failed.reversed().joined(separator: " "))"
    }
}
