// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamfsKit
import Glibc
import SystemPackage

/// `famctl-dev famfs-image`: metadata-only famfs images encoded by FamfsKit's format layer,
/// the benchmarks' inputs (a full log costs minutes to fill with `famctl famfs creat`).
struct FamfsImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "famfs-image",
        abstract: "Write a metadata-only famfs image: the superblock region and the log, nothing after it.",
        discussion: """
            The superblock records --device-size, so fsck checks the log against a device that large \
            although the file holds only 2 MiB + --log-length bytes. With --full-log every slot but the \
            last --free-slots is used: a directory every 16 entries (d0, d16, ...), the others files of \
            2 MiB in the directory before them, each in its own allocation unit after the log, so fsck \
            finds no problem. The UUIDs are fixed; the system UUID is c0ffee00-1234-4abc-8def-0123456789ab.
            """)

    @Argument(help: ArgumentHelp("The image file to write (replaced if it exists).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The log's length in bytes (k, m, g suffixes; default 8m).", valueName: "size"), transform: byteSize)
    var logLength: UInt64 = Famfs.defaultLogLength

    @Option(help: ArgumentHelp("The device size the superblock records (k, m, g, t suffixes; default 64g).", valueName: "size"), transform: byteSize)
    var deviceSize: UInt64 = 64 << 30

    @Flag(help: "Fill the log (else it is empty, as mkfs leaves it).")
    var fullLog = false

    @Option(help: ArgumentHelp("With --full-log: slots left free at the log's end.", valueName: "n"))
    var freeSlots: UInt64 = 0

    func validate() throws {
        let slots = Famfs.slotCount(logLength: logLength)
        guard slots > 0 else { throw ValidationError("--log-length \(logLength) holds no log entry (at least \(LogHeader.size + LogEntry.size) bytes)") }
        guard fullLog || freeSlots == 0 else { throw ValidationError("--free-slots needs --full-log") }
        guard freeSlots <= slots else { throw ValidationError("--free-slots \(freeSlots) is more than the log's \(slots) slots") }
        let used = fullLog ? slots - freeSlots : 0
        let needed = Famfs.logOffset + logLength + used * Famfs.allocationUnit
        guard needed <= deviceSize else {
            throw ValidationError("--device-size \(deviceSize) is too small for \(used) files of 2 MiB after the log (needs \(needed) bytes)")
        }
    }

    func run() throws {
        let used = fullLog ? Famfs.slotCount(logLength: logLength) - freeSlots : 0
        let image = Self.image(logLength: logLength, deviceSize: deviceSize, entries: used)
        let fd: Int32
        switch Syscall.open(file, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644) {
        case .success(let opened): fd = opened
        case .failure(let errno): throw ImageWriteFailure(path: file, action: "create", errno: errno)
        }
        defer { Syscall.close(fd) }
        if case .failure(let errno) = image.withUnsafeBytes({ Syscall.writeAll(fd, $0) }) {
            throw ImageWriteFailure(path: file, action: "write", errno: errno)
        }
    }

    /// The superblock region and a log whose first `entries` slots are used.
    static func image(logLength: UInt64, deviceSize: UInt64, entries: UInt64) -> [UInt8] {
        var superblock = Superblock()
        superblock.logLength = logLength
        superblock.fsUUID = FamfsUUID("52d55102-72d2-4d63-af86-295f02d3abaf")!
        superblock.deviceUUID = FamfsUUID("1017374c-fae1-418d-9a12-55fd5404033f")!
        superblock.systemUUID = FamfsUUID("c0ffee00-1234-4abc-8def-0123456789ab")!
        superblock.deviceSize = deviceSize
        superblock.deviceName = Array("/dev/dax0.0".utf8)
        var header = LogHeader(logLength: logLength)
        header.nextSeqnum = entries
        header.nextIndex = entries
        var bytes = [UInt8](repeating: 0, count: Int(Famfs.logOffset + logLength))
        bytes.withUnsafeMutableBytes { image in
            superblock.encode(into: image)
            let log = UnsafeMutableRawBufferPointer(rebasing: image[Int(Famfs.logOffset)...])
            header.encode(into: log)
            var data = Famfs.logOffset + logLength
            for index in 0..<entries {
                let start = Int(LogHeader.size + index * LogEntry.size)
                entry(index, dataAt: &data).encode(into: UnsafeMutableRawBufferPointer(rebasing: log[start..<start + Int(LogEntry.size)]))
            }
        }
        return bytes
    }

    /// Slot `index`: a directory every 16 slots, else a 2 MiB file in the directory before it,
    /// placed at `data` (advanced past it).
    private static func entry(_ index: UInt64, dataAt data: inout UInt64) -> LogEntry {
        let directory = index - index % 16
        guard index != directory else {
            return LogEntry(seqnum: index, body: .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array("d\(index)".utf8))))
        }
        let extent = SimpleExtent(offset: data, length: Famfs.allocationUnit)
        data += Famfs.allocationUnit
        return LogEntry(seqnum: index, body: .file(FileEntry(size: Famfs.allocationUnit, uid: 0, gid: 0, mode: 0o644,
                                                              path: Array("d\(directory)/f\(index)".utf8), extents: .simple([extent]))))
    }
}

/// The image file could not be created or written (exit status 1).
struct ImageWriteFailure: Error, CustomStringConvertible {
    var path: String
    var action: String
    var errno: Errno

    var description: String { "\(path): cannot \(action) the image: \(errno)" }
}

/// A size as famfs users type it (`ByteSize`: a number with an optional k, m, g or t suffix).
private func byteSize(_ text: String) throws -> UInt64 {
    guard let bytes = ByteSize.parse(text) else { throw ValidationError("'\(text)' is not a size (a number with an optional k, m, g or t suffix)") }
    return bytes
}
