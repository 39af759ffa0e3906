import FamfsKit

/// One fuzz input is famfs metadata with the gap after the superblock squeezed out:
///
/// ```
///   0  superblock (200 bytes)
/// 200  log header (48 bytes)
/// 248  log slots, 544 bytes each, as many as the input holds
/// ```
///
/// Each input is checked twice: as given, and with the superblock, header and slot CRCs
/// recomputed so that mutations reach the checks behind them. Every reader must return a
/// verdict; a trap, a sanitizer report or a timeout is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    check(input)
    check(withCRCsRepaired(input))
    return 0
}

let superblockSize = Superblock.size
let headerSize = Int(LogHeader.size)
let slotSize = Int(LogEntry.size)

func check(_ input: [UInt8]) {
    guard input.count >= superblockSize else { return }
    input.withUnsafeBytes { bytes in
        guard case .success(let superblock) = Superblock.validate(bytes) else { return }
        let log = UnsafeRawBufferPointer(rebasing: bytes[superblockSize...])
        guard log.count >= headerSize, case .success(let header) = LogHeader.validate(log, superblock: superblock) else {
            return
        }
        // Bucket statistics walk every unit; keep them to devices a fuzz run can afford.
        let buckets = superblock.deviceSize / superblock.allocationUnit <= 1 << 22 ? Int(input[0] % 64) + 1 : nil
        let report = FsckChecker.check(superblock: superblock, header: header, log: log,
                                       systemUUID: superblock.systemUUID, nbuckets: buckets)
        _ = report.text(human: input.count % 2 == 0) + report.verboseText + (report.buckets?.text ?? "")
        _ = report.json(target: "fuzz", exitStatus: report.isClean ? 0 : 2)
        let scan = LogScan(log: log, header: header, superblock: superblock)
        _ = AllocationBitmap(superblock: superblock, scan: scan).collisions
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
