// SPDX-License-Identifier: Apache-2.0
import FamfsKit
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The harness has one target per reader or planner, chosen by `FAMFS_FUZZ_TARGET` (one
/// process fuzzes one target, so libFuzzer's coverage figures are that target's):
///
/// - `readers`: superblock, log header, entry validation, fsck and its reports.
/// - `logplay`: logplay planning (dry run) and the replay tree (`--into`, `--shadow`,
///   `--shadowtest`) on a scratch directory, emptied after every input.
/// - `creat`: the allocator and mkdir/creat planning (sizes, interleave parameters) on the
///   log of the input; every planned extent must be free, inside the device and unshared.
/// - `manifest`: `creat --manifest` parsing and path validation and normalisation.
///
/// Metadata inputs are famfs metadata with the gap after the superblock squeezed out:
///
/// ```
///   0  superblock (200 bytes)
/// 200  log header (48 bytes)
/// 248  log slots, 544 bytes each, as many as the input holds
/// ```
///
/// `creat` inputs start with `planBytes` bytes of requests before the metadata. Each metadata
/// input is checked twice: as given, and with the superblock, header and slot CRCs recomputed
/// so that mutations reach the checks behind them. Every reader must return a verdict; a
/// trap, a sanitizer report or a timeout is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case .readers:
        withMetadata(input, checkReaders)
        withMetadata(withCRCsRepaired(input), checkReaders)
    case .logplay:
        let selector = input.first ?? 0
        withMetadata(input) { replay($0, $1, $2, selector: selector) }
        withMetadata(withCRCsRepaired(input)) { replay($0, $1, $2, selector: selector) }
    case .creat:
        guard input.count >= planBytes else { return 0 }
        let requests = Array(input[..<planBytes])
        let metadata = Array(input[planBytes...])
        withMetadata(metadata) { plan(requests, $0, $1, $2) }
        withMetadata(withCRCsRepaired(metadata)) { plan(requests, $0, $1, $2) }
    case .manifest:
        parseManifest(input)
    }
    return 0
}

enum Target: String, CaseIterable {
    case readers, logplay, creat, manifest
}

let target: Target = {
    let name = ProcessInfo.processInfo.environment["FAMFS_FUZZ_TARGET"] ?? Target.readers.rawValue
    guard let target = Target(rawValue: name) else {
        fatalError("FAMFS_FUZZ_TARGET=\(name): expected one of \(Target.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

let superblockSize = Superblock.size
let headerSize = Int(LogHeader.size)
let slotSize = Int(LogEntry.size)

/// Calls `body` with the superblock, header and log of a metadata input that passes the
/// superblock and header checks.
func withMetadata(_ input: [UInt8], _ body: (Superblock, LogHeader, UnsafeRawBufferPointer) -> Void) {
    guard input.count >= superblockSize else { return }
    input.withUnsafeBytes { bytes in
        guard case .success(let superblock) = Superblock.validate(bytes) else { return }
        let log = UnsafeRawBufferPointer(rebasing: bytes[superblockSize...])
        guard log.count >= headerSize, case .success(let header) = LogHeader.validate(log, superblock: superblock) else {
            return
        }
        body(superblock, header, log)
    }
}

func checkReaders(_ superblock: Superblock, _ header: LogHeader, _ log: UnsafeRawBufferPointer) {
    // Bucket statistics walk every unit; keep them to devices a fuzz run can afford.
    let buckets = superblock.deviceSize / superblock.allocationUnit <= 1 << 22 ? Int(log.count % 64) + 1 : nil
    let report = FsckChecker.check(superblock: superblock, header: header, log: log,
                                   systemUUID: superblock.systemUUID, nbuckets: buckets)
    _ = report.text(human: log.count % 2 == 0) + report.verboseText + (report.buckets?.text ?? "")
    _ = report.json(target: "fuzz", exitStatus: report.isClean ? 0 : 2)
    let scan = LogScan(log: log, header: header, superblock: superblock)
    _ = AllocationBitmap(superblock: superblock, scan: scan).collisions
}

// MARK: logplay

/// The directory replays go to: one per process, emptied after every input.
let scratch: String = {
    var template = Array("\(FileManager.default.temporaryDirectory.path)/famfs-fuzz-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        fatalError("cannot create a scratch directory for logplay")
    }
    return String(cString: made)
}()

/// A dry run, then a replay into the scratch directory (bits of `selector`: shadow or
/// placeholders, client, shadowtest, a second replay over the first), then the directory is
/// emptied.
func replay(_ superblock: Superblock, _ header: LogHeader, _ log: UnsafeRawBufferPointer, selector: UInt8) {
    let scan = LogScan(log: log, header: header, superblock: superblock)
    if var dryRun = try? Logplay(options: Logplay.Options(destination: .none, verbosity: 2), emit: { _ in }) {
        _ = dryRun.run(scan)
    }
    let destination: Logplay.Destination = selector & 1 == 0 ? .into(scratch) : .shadow(scratch)
    let options = Logplay.Options(destination: destination, client: selector & 2 != 0, shadowTest: selector & 4 != 0,
                                  verbosity: Int(selector >> 6))
    for _ in 0..<(selector & 8 == 0 ? 1 : 2) {
        guard var logplay = try? Logplay(options: options, emit: { _ in }) else { break }
        _ = logplay.run(scan)
    }
    empty(scratch)
}

func empty(_ directory: String) {
    let manager = FileManager.default
    for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
        let path = directory + "/" + name
        // Replays may leave directories without search or write permission.
        _ = chmod(path, 0o700)
        do {
            try manager.removeItem(atPath: path)
        } catch {
            fatalError("cannot empty the scratch directory: \(path): \(error)")
        }
    }
}

// MARK: creat

/// Requests before the metadata of a `creat` input: `requestCount` requests of
/// `requestBytes` each.
let requestCount = 4
let requestBytes = 24
let planBytes = requestCount * requestBytes

/// Plans mkdir and creat requests on the input's log. Per request: byte 0 the kind and
/// flags, bytes 1-3 the path (components from a small alphabet, so requests meet each other),
/// bytes 4-5 the mode, 6 uid and gid, 7 buckets, 8 strips, 9-15 the chunk size, 16-23 the size.
func plan(_ requests: [UInt8], _ superblock: Superblock, _ header: LogHeader, _ log: UnsafeRawBufferPointer) {
    let scan = LogScan(log: log, header: header, superblock: superblock)
    var planner = EntryPlanner(superblock: superblock, scan: scan)
    var random = SeededGenerator(seed: UInt64(requests[0]))
    for index in 0..<requestCount {
        let request = requests[(index * requestBytes)..<((index + 1) * requestBytes)]
        let flags = request[request.startIndex]
        let path = requestPath(request.dropFirst().prefix(3))
        let owner = EntryPlanner.Owner(mode: UInt32(integer(request.dropFirst(4).prefix(2))) & 0o7777,
                                       uid: UInt32(request[request.startIndex + 6]), gid: UInt32(request[request.startIndex + 6] >> 4))
        if flags & 1 == 0 {
            try? planner.mkdir(path, owner: owner, parents: flags & 2 != 0)
            continue
        }
        let rawChunk = integer(request.dropFirst(9).prefix(7))
        let parameters = InterleaveParameters(
            nbuckets: UInt64(request[request.startIndex + 7]), nstrips: UInt64(request[request.startIndex + 8]),
            // Mostly multiples of 2 MiB, which the checks accept, sometimes anything.
            chunkSize: flags & 8 == 0 ? (rawChunk & 0xff) << 21 : rawChunk)
        let rawSize = integer(request.suffix(8))
        // Mostly sizes a device holds, sometimes anything up to 2^64 - 1.
        let size = flags & 16 == 0 ? rawSize & 0xf_ffff_ffff : rawSize
        try? planner.creat(path, size: size, owner: owner, layout: flags & 4 == 0 ? .contiguous : .interleaved(parameters),
                           random: &random)
    }
    checkPlan(planner.bodies, superblock: superblock, bitmap: AllocationBitmap(superblock: superblock, scan: scan))
}

/// The path of a request: up to three components from `a`, `b`, `c`, `d`.
func requestPath(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    let depth = Int(bytes.first ?? 0) % 3 + 1
    let names = bytes.prefix(depth).map { [UInt8(ascii: "a") + $0 % 4] }
    return Array(names.joined(separator: [UInt8(ascii: "/")]))
}

/// Little-endian integer of up to 8 bytes.
func integer(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
}

/// Every planned extent is unit-aligned, inside the device, free before the plan and not
/// given twice; every planned entry encodes.
func checkPlan(_ bodies: [LogEntry.Body], superblock: Superblock, bitmap: AllocationBitmap) {
    var taken: [SimpleExtent] = []
    let unit = superblock.allocationUnit
    for body in bodies {
        var slot = [UInt8](repeating: 0, count: slotSize)
        slot.withUnsafeMutableBytes { LogEntry(seqnum: 0, body: body).encode(into: $0) }
        guard case .file(let file) = body else { continue }
        for extent in file.extents.ranges {
            let (end, overflow) = extent.offset.addingReportingOverflow(extent.length)
            precondition(!overflow && end <= superblock.deviceSize && extent.length > 0, "extent \(extent) outside the device")
            precondition(extent.offset % unit == 0 && extent.length % unit == 0, "extent \(extent) not unit-aligned")
            for k in (extent.offset / unit)..<(end / unit) {
                precondition(!bitmap.isSet(k), "extent \(extent) takes unit \(k), which was in use")
            }
            precondition(!taken.contains { $0.offset < end && extent.offset < $0.offset + $0.length }, "extent \(extent) given twice")
            taken.append(extent)
        }
    }
}

// MARK: manifest

/// Parses the input as a manifest, and its lines as paths given on the command line and as
/// logged paths.
func parseManifest(_ input: [UInt8]) {
    let text = String(decoding: input, as: UTF8.self)
    if let manifest = try? Manifest.parse(text, name: "fuzz") {
        for line in manifest.lines {
            precondition(FamfsPath.normalize(logged: line.path) != nil, "a valid path does not normalise")
        }
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let path = try? FamfsPath.validate(String(line)) {
            precondition(path.count <= LogEntry.maxPathLength, "a valid path does not fit its field")
            precondition(FamfsPath.normalize(logged: path)?.count == path.split(separator: UInt8(ascii: "/")).count,
                         "a valid path changes when normalised")
            for ancestor in FamfsPath.ancestors(of: path) { precondition(FamfsPath.normalize(logged: ancestor) != nil) }
            _ = FamfsPath.parent(of: path)
        }
        _ = FamfsPath.normalize(logged: Array(line.utf8))
    }
}

func withCRCsRepaired(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    guard bytes.count >= superblockSize else { return bytes }
    bytes.withUnsafeMutableBytes { raw in
        store(Superblock.computeCRC(UnsafeRawBufferPointer(raw)), in: raw, at: 96)
        let log = UnsafeMutableRawBufferPointer(rebasing: raw[superblockSize...])
        guard log.count >= headerSize else { return }
        store(LogHeader.computeCRC(UnsafeRawBufferPointer(log)), in: log, at: 24)
        var start = headerSize
        while start + slotSize <= log.count {
            let slot = UnsafeMutableRawBufferPointer(rebasing: log[start..<start + slotSize])
            store(LogEntry.computeCRC(UnsafeRawBufferPointer(slot)), in: slot, at: 536)
            start += slotSize
        }
    }
    return bytes
}

func store(_ crc: UInt32, in bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
    bytes.storeBytes(of: UInt64(crc).littleEndian, toByteOffset: offset, as: UInt64.self)
}

// SwiftPM links executables with `main` renamed to `FamfsFuzz_main`, which would hide
// libFuzzer's own `main`; this entry point hands control to libFuzzer's driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

@_cdecl("FamfsFuzz_main")
func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzz($0, $1) }
}
