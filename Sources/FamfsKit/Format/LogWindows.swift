// SPDX-License-Identifier: Apache-2.0
import CFamfs
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Streams the slots below next_index window by window, for readers that need them in log
/// order but never all at once (fsck, logplay, the append planner). Each window's slots are
/// copied out of the mapping in parallel chunks with their CRCs computed on the way (one
/// guarded pass over the mapping) and checked while the copy is in the cache; meanwhile the
/// previous window is handed to the consumer, on the other core. A volume's log is mapped one
/// window at a time (its own small mapping, let go afterwards), so memory stays flat whatever
/// the log length and however the page cache holds the file.
enum LogWindows {
    /// Slots per window: a sixteenth of the log, between two parallel chunks (about half a
    /// MiB, small logs) and 8 (about 2 MiB, large ones). A window is copied into one of two
    /// buffers (the other holds the window being consumed): small ones cost few page faults
    /// and stay in the caches between the workers' pass and the consumer, and a mapping per
    /// 2 MiB costs little.
    static func windowSlots(logSlots: Int) -> Int {
        let chunk = SlotKind.chunkSlots
        return min(8 * chunk, max(2 * chunk, logSlots / 16 / chunk * chunk))
    }

    /// A classified window, valid during the consumer's call.
    struct Window {
        let run: SlotRun
        let kinds: UnsafePointer<SlotKind>
        /// The path of each valid MKDIR or FILE slot (`SlotKind.pathOffset`), summarised by the workers.
        let paths: UnsafePointer<Namespace.LoggedPath>

        func kind(_ index: Int) -> SlotKind { kinds[index - run.indexes.lowerBound] }
        func path(_ index: Int) -> Namespace.LoggedPath { paths[index - run.indexes.lowerBound] }
    }

    /// Copies a chunk of a window's slots (absolute indexes) to a buffer with their CRCs.
    struct SlotSource<E: Error>: @unchecked Sendable {
        let copy: (Range<Int>, UnsafeMutableRawPointer, UnsafeMutablePointer<UInt32>) throws(E) -> Void
    }

    /// Streams the log of `volume` below next_index of `header`.
    static func stream(_ volume: FamfsVolume, header: LogHeader,
                       consume: (Window) -> Void) throws(DeviceError) {
        try stream(slots: LogScan.slotsInUse(logLength: volume.superblock.logLength, header: header),
                   logSlots: Int(header.slotCount), geometry: LogEntry.Geometry(volume.superblock),
                   window: { (indexes) throws(DeviceError) in
                       let window = try volume.mapLog(SlotRun.logRange(indexes))
                       return SlotSource { (chunk, destination, crcs) throws(DeviceError) in
                           try window.copySlots(at: (chunk.lowerBound - indexes.lowerBound) * Int(LogEntry.size),
                                                count: chunk.count, to: destination, crcs: crcs)
                       }
                   }, consume: consume)
    }

    /// Streams a log region in memory (header first).
    static func stream(log: UnsafeRawBufferPointer, header: LogHeader, superblock: Superblock, consume: (Window) -> Void) {
        let base = UncheckedSendable(log.baseAddress!)
        stream(slots: LogScan.slotsInUse(log, header: header), logSlots: Int(header.slotCount),
               geometry: LogEntry.Geometry(superblock), window: { _ in
                   SlotSource { chunk, destination, crcs in
                       // Plain memory cannot fault; this copy is the one that computes CRCs on the way.
                       _ = cfamfs_guarded_copy_slots(destination, base.value + SlotRun.logRange(chunk).lowerBound,
                                                     chunk.count, Int(LogEntry.size), LogEntry.crcOffset, crcs)
                   }
               }, consume: consume)
    }

    /// One window's copy, CRCs, kinds and summarised paths.
    private final class Buffers {
        let slots: UnsafeMutableRawBufferPointer
        let crcs: UnsafeMutablePointer<UInt32>
        let kinds: UnsafeMutablePointer<SlotKind>
        let paths: UnsafeMutablePointer<Namespace.LoggedPath>

        init(capacity: Int) {
            slots = .allocate(byteCount: capacity * Int(LogEntry.size), alignment: 64)
            crcs = .allocate(capacity: capacity)
            kinds = .allocate(capacity: capacity)
            paths = .allocate(capacity: capacity)
        }

        deinit {
            slots.deallocate()
            crcs.deallocate()
            kinds.deallocate()
            paths.deallocate()
        }
    }

    /// The loop: window k is read by the workers while window k - 1 is consumed and window
    /// k + 1 is mapped (the mapping of window k - 1 let go first); `window` maps a window and
    /// says how to copy its chunks. Mapping and unmapping (populating and tearing down the
    /// page tables of a window) are a good part of a scan's time, so they run beside the
    /// others rather than between windows. A window that cannot be mapped throws where the
    /// loop reaches it: before the window ahead of it is consumed.
    static func stream<E: Error>(
        slots: Int, logSlots: Int, geometry: LogEntry.Geometry, window: (Range<Int>) throws(E) -> SlotSource<E>,
        consume: (Window) -> Void
    ) throws(E) {
        let windowSlots = windowSlots(logSlots: logSlots)
        let chunkSlots = SlotKind.chunkSlots
        let buffers = [Buffers(capacity: windowSlots), Buffers(capacity: windowSlots)]
        let failures = UnsafeMutablePointer<E?>.allocate(capacity: (windowSlots + chunkSlots - 1) / chunkSlots)
        defer { failures.deallocate() }
        try withoutActuallyEscaping(consume) { (consume) throws(E) in
            try withoutActuallyEscaping(window) { (window) throws(E) in
                let consumer = UncheckedSendable(consume)
                let mapper = UncheckedSendable(window)
                let sources = Sources<E>()
                // The window to consume while the next one is read, and its buffers.
                var previous: (indexes: Range<Int>, buffers: Buffers)?
                var indexes = 0..<min(slots, windowSlots)
                var next = 0
                if !indexes.isEmpty { sources.current = try window(indexes) }
                while previous != nil || !indexes.isEmpty {
                    let ahead = indexes.upperBound..<min(slots, indexes.upperBound + windowSlots)
                    let chunks = (indexes.count + chunkSlots - 1) / chunkSlots
                    failures.initialize(repeating: nil, count: chunks)
                    // Iterations: the consumer (when there is a window to consume), the
                    // mapper (when there is a window ahead), then the chunks.
                    let helpers = (previous == nil ? 0 : 1) + (ahead.isEmpty ? 0 : 1)
                    let state = UncheckedSendable((previous, indexes, ahead, buffers[next], sources, failures))
                    let work: @Sendable (Int) -> Void = { iteration in
                        let (previous, indexes, ahead, target, sources, failures) = state.value
                        var helper = iteration
                        if let previous {
                            if helper == 0 {
                                consumer.value(Window(run: SlotRun(bytes: UnsafeRawBufferPointer(previous.buffers.slots),
                                                                   indexes: previous.indexes),
                                                      kinds: previous.buffers.kinds, paths: previous.buffers.paths))
                                return
                            }
                            helper -= 1
                        }
                        if !ahead.isEmpty, helper == 0 {
                            sources.retired = nil
                            sources.ahead = Result { () throws(E) in try mapper.value(ahead) }
                            return
                        }
                        let chunk = iteration - helpers
                        let offset = chunk * chunkSlots
                        let range = indexes.lowerBound + offset..<min(indexes.upperBound, indexes.lowerBound + offset + chunkSlots)
                        do throws(E) {
                            try sources.current!.copy(range, target.slots.baseAddress! + offset * Int(LogEntry.size), target.crcs + offset)
                        } catch {
                            failures[chunk] = error
                            return
                        }
                        let run = SlotRun(bytes: UnsafeRawBufferPointer(target.slots), indexes: indexes)
                        for index in range {
                            let slot = run.slot(index)
                            let i = index - indexes.lowerBound
                            let kind = SlotKind(slot, index: index, geometry: geometry, crc: target.crcs[i])
                            (target.kinds + i).initialize(to: kind)
                            if let offset = kind.pathOffset {
                                (target.paths + i).initialize(to: Namespace.LoggedPath(loggedPath(slot, at: offset)))
                            }
                        }
                    }
                    let iterations = helpers + chunks
                    if iterations > 1 { DispatchQueue.concurrentPerform(iterations: iterations, execute: work) } else { work(0) }
                    if let failure = (0..<chunks).lazy.compactMap({ failures[$0] }).first { throw failure }
                    previous = indexes.isEmpty ? nil : (indexes, buffers[next])
                    next = 1 - next
                    indexes = ahead
                    sources.retired = sources.current
                    sources.current = try sources.ahead?.get()
                    sources.ahead = nil
                }
            }
        }
    }

    /// The mappings of a stream: the window being read, the one mapped for the next step and
    /// the one read last (let go by the mapper). Each is touched by one thread at a time.
    private final class Sources<E: Error>: @unchecked Sendable {
        var current: SlotSource<E>?
        var ahead: Result<SlotSource<E>, E>?
        var retired: SlotSource<E>?
    }

    /// The path of a valid MKDIR or FILE slot, without its NUL, in place.
    static func loggedPath(_ slot: UnsafeRawBufferPointer, at offset: Int) -> UnsafeRawBufferPointer {
        // strnlen, not firstIndex: this runs for every entry. The slot passed `LogEntry.check`,
        // so the field holds a NUL.
        let start = slot.baseAddress! + offset
        return UnsafeRawBufferPointer(start: start, count: strnlen(start.assumingMemoryBound(to: CChar.self), LogEntry.pathFieldSize))
    }
}

extension SlotKind {
    /// Where a valid slot of this kind holds its path, nil for kinds without one.
    var pathOffset: Int? {
        switch self {
        case .directory: return 28
        case .file: return 40
        case .addDaxdev, .ignored, .bad: return nil
        }
    }
}
