// SPDX-License-Identifier: Apache-2.0
/// The append protocol (section 11 of the format spec) for a log opened with `.append`.
///
/// A batch of entries is committed at once: every entry is written into the slots from
/// next_index on and flushed, and only then are next_seqnum and next_index advanced and the
/// header flushed. The header therefore never counts a slot that is not fully on the media:
/// a crash at any point leaves each entry of the batch either entirely in the log or not in
/// it at all (a half-written slot past next_index is invisible and overwritten by the next
/// append). next_seqnum is stored just before next_index, so even a torn pair can only read
/// as (k + n, k) — the batch absent and a seqnum warning, repaired by the next append, which
/// recomputes both from next_index.
extension OpenedLog {
    /// The points in an append after which a crash is simulated by tests (the hook).
    public enum AppendStep: Equatable, Sendable {
        /// Slot `index` holds its entry (not yet flushed).
        case entryWritten(index: UInt64)
        /// Every new slot is flushed.
        case entriesFlushed
        /// next_seqnum and next_index are advanced (not yet flushed).
        case headerAdvanced
        /// The header is flushed: the batch is committed.
        case headerFlushed
    }

    /// Refuses an append unless this host (system UUID `systemUUID`, nil when it has none)
    /// owns the file system.
    public func requireOwner(systemUUID: FamfsUUID?, systemUUIDPath: String) throws(AppendError) {
        guard systemUUID != superblock.systemUUID else { return }
        throw .notOwner(device: volume.path, owner: superblock.systemUUID, host: systemUUID, systemUUIDPath: systemUUIDPath)
    }

    /// Refuses an append to a log with no free slot, from the header alone: a full log is
    /// refused before anything reads its entries (the refusal `append` would give one entry).
    public func requireFreeSlot() throws(AppendError) {
        guard header.nextIndex >= slotCount else { return }
        throw .logFull(device: volume.path, used: header.nextIndex, slots: slotCount, needed: 1)
    }

    /// Appends `bodies` as one committed batch; nothing is written when they do not all fit.
    public func append(_ bodies: [LogEntry.Body], hook: (AppendStep) -> Void = { _ in }) throws(AppendError) {
        guard !bodies.isEmpty else { return }
        guard volume.logFile.writable else { throw .io(.notOpenForWriting(path: volume.logFile.path)) }
        let first = header.nextIndex
        let free = slotCount - first
        guard UInt64(bodies.count) <= free else {
            throw .logFull(device: volume.path, used: first, slots: slotCount, needed: UInt64(bodies.count))
        }
        let log = volume.writableLog
        let slots = Int(LogHeader.size + first * LogEntry.size)..<Int(LogHeader.size + (first + UInt64(bodies.count)) * LogEntry.size)
        var counter = [UInt8](repeating: 0, count: 8)
        do throws(DeviceError) {
            // Blocks for everything this append writes are reserved before the first store, so
            // a full file system refuses here with the log untouched.
            try log.reserve(slots)
            try log.reserve(0..<Int(LogHeader.size))
            for (i, body) in bodies.enumerated() {
                let index = first + UInt64(i)
                try log.write(LogEntry(seqnum: index, body: body).encoded, at: slots.lowerBound + i * Int(LogEntry.size))
                hook(.entryWritten(index: index))
            }
            try volume.flushLog(slots)
            hook(.entriesFlushed)
            let next = first + UInt64(bodies.count)
            counter.withUnsafeMutableBytes { $0.setU64(next, at: 0) }
            try log.write(counter, at: LogHeader.nextSeqnumOffset)
            try log.write(counter, at: LogHeader.nextIndexOffset)
            hook(.headerAdvanced)
            try volume.flushLog(0..<Int(LogHeader.size))
            header.nextSeqnum = next
            header.nextIndex = next
            hook(.headerFlushed)
        } catch {
            throw .io(error)
        }
    }
}

public enum AppendError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The system UUID of this host (nil: none readable) is not the superblock's.
    case notOwner(device: String, owner: FamfsUUID, host: FamfsUUID?, systemUUIDPath: String)
    case logFull(device: String, used: UInt64, slots: UInt64, needed: UInt64)
    case io(DeviceError)

    public var description: String {
        switch self {
        case .notOwner(let device, let owner, let host?, let path):
            return "\(device): not the owner host: the file system belongs to system UUID \(owner), "
                + "this host is \(host) (\(path)); only the owner may append to the log"
        case .notOwner(let device, let owner, nil, let path):
            return "\(device): not the owner host: the file system belongs to system UUID \(owner), "
                + "this host has none (\(path) is missing or unreadable); only the owner may append to the log"
        case .logFull(let device, let used, let slots, let needed):
            return used == slots
                ? "\(device): log full (\(used) of \(slots) entries used)"
                : "\(device): log full: \(needed) entries needed, \(slots - used) free (\(used) of \(slots) entries used)"
        case .io(let error):
            return error.description
        }
    }
}
