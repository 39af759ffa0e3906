// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Testing
@testable import FamfsKit

/// The empty-8g file system decoded, with dd_size optionally changed (the superblock CRC
/// does not cover it).
func emptyFilesystem(deviceSize: UInt64 = 8 << 30) throws -> (Superblock, LogScan) {
    try Fixture.imageBytes("empty-8g").withUnsafeBytes { bytes in
        var superblock = try Superblock.validate(bytes).get()
        superblock.deviceSize = deviceSize
        let log = UnsafeRawBufferPointer(rebasing: bytes[0x20_0000...])
        let header = try LogHeader.validate(log, superblock: superblock).get()
        return (superblock, LogScan(log: log, header: header, superblock: superblock))
    }
}

@Suite struct AllocatorTests {
    let owner = EntryPlanner.Owner(mode: 0o644, uid: 0, gid: 0)

    @Test func reproducesUpstreamOffsetsAcrossCommands() throws {
        let (superblock, scan) = try emptyFilesystem()
        var random = SeededGenerator(seed: 1)
        // Each command rebuilds the allocator: simulate that by replanning from the bitmap of
        // everything planned so far.
        var planned: [LogEntry.Body] = []
        func command(_ size: UInt64, _ layout: Allocator.Layout = .contiguous) throws -> FileEntry.Extents {
            var allocator = Allocator(superblock: superblock, scan: scan)
            for case .file(let file) in planned { for extent in file.extents.ranges { allocator.markForTest(extent) } }
            let extents = try allocator.allocate(size: size, layout: layout, random: &random)
            planned.append(.file(FileEntry(size: size, uid: 0, gid: 0, mode: 0, path: [0x61], extents: extents)))
            return extents
        }
        #expect(try command(4096) == .simple([SimpleExtent(offset: 0xa0_0000, length: 0x20_0000)]))
        #expect(try command(3 << 20) == .simple([SimpleExtent(offset: 0xc0_0000, length: 0x40_0000)]))
        let striped = try command(64 << 20, .interleaved(InterleaveParameters(nbuckets: 8, nstrips: 4)))
        #expect(striped.ranges.count == 4)
        #expect(try command(2 << 20) == .simple([SimpleExtent(offset: 0x100_0000, length: 0x20_0000)]))
        #expect(try command(5 << 20) == .simple([SimpleExtent(offset: 0x120_0000, length: 0x60_0000)]))
    }

    @Test func theCursorMovesForwardWithinOneCommand() throws {
        let (superblock, scan) = try emptyFilesystem()
        var allocator = Allocator(superblock: superblock, scan: scan)
        var random = SeededGenerator(seed: 1)
        let offsets = try (0..<4).map { _ in try allocator.allocate(size: 1, layout: .contiguous, random: &random).ranges[0].offset }
        #expect(offsets == [0xa0_0000, 0xc0_0000, 0xe0_0000, 0x100_0000])
        #expect(allocator.cursor == 9)
    }

    @Test func stripsAreSizedAsUpstreamAndLandInDistinctBuckets() throws {
        let (superblock, scan) = try emptyFilesystem()
        var allocator = Allocator(superblock: superblock, scan: scan)
        var random = SeededGenerator(seed: 3)
        // 10 MiB = 5 units; stripe = 4 strips × 1 chunk unit; 2 stripes; strip = 2 units.
        let extents = try allocator.allocate(size: 10 << 20, layout: .interleaved(InterleaveParameters(nbuckets: 8, nstrips: 4)), random: &random)
        guard case .interleaved(let chunk, let strips) = extents else {
            Issue.record("not interleaved")
            return
        }
        #expect(chunk == 0x20_0000)
        #expect(strips.map(\.length) == Array(repeating: 0x40_0000, count: 4))
        #expect(Set(strips.map { $0.offset >> 30 }).count == 4)
        // Bucket 0 starts with the metadata: a strip there starts right after it.
        for strip in strips { #expect(strip.offset == max((strip.offset >> 30) << 30, 0xa0_0000)) }
        #expect(allocator.bitmap.setCount == 5 + 8)
    }

    @Test func aFileSmallerThanOneChunkIsContiguousFromTheStart() throws {
        let (superblock, scan) = try emptyFilesystem()
        var allocator = Allocator(superblock: superblock, scan: scan)
        var random = SeededGenerator(seed: 1)
        _ = try allocator.allocate(size: 1, layout: .contiguous, random: &random)
        _ = try allocator.allocate(size: 1, layout: .contiguous, random: &random)
        let small = try allocator.allocate(
            size: 1 << 20, layout: .interleaved(InterleaveParameters(nbuckets: 8, nstrips: 4, chunkSize: 4 << 20)), random: &random)
        #expect(small == .simple([SimpleExtent(offset: 0xe0_0000, length: 0x20_0000)]))
    }

    @Test func missingStripsFailWithoutMarkingAnything() throws {
        let (superblock, scan) = try emptyFilesystem()
        var allocator = Allocator(superblock: superblock, scan: scan)
        var random = SeededGenerator(seed: 9)
        // Fill bucket 5 (units 2560..<3072) so only 7 of 8 buckets can hold a strip.
        allocator.markForTest(SimpleExtent(offset: 5 << 30, length: 1 << 30))
        let before = allocator.bitmap.setCount
        #expect(throws: AllocationError.stripsUnavailable(nstrips: 8, stripSize: 0x20_0000, found: 7)) {
            try allocator.allocate(size: 2 << 20, layout: .interleaved(InterleaveParameters(nbuckets: 8, nstrips: 8)), random: &random)
        }
        #expect(allocator.bitmap.setCount == before)
    }

    @Test func firstFitSkipsRunsThatAreTooShort() throws {
        let (superblock, scan) = try emptyFilesystem()
        var bitmap = AllocationBitmap(superblock: superblock, scan: scan)
        bitmap.markUnits(7, count: 1)
        bitmap.markUnits(64, count: 128)
        #expect(bitmap.firstFreeRun(of: 2, in: 0..<4096) == 5)
        #expect(bitmap.firstFreeRun(of: 3, in: 0..<4096) == 8)
        #expect(bitmap.firstFreeRun(of: 57, in: 0..<4096) == 192)
        #expect(bitmap.firstFreeRun(of: 3, in: 8..<10) == nil)
        #expect(bitmap.firstFreeRun(of: 4096, in: 0..<4096) == nil)
    }

    @Test func aPartialLastUnitIsNeverAllocated() throws {
        let (superblock, scan) = try emptyFilesystem(deviceSize: (12 << 20) + (1 << 20))
        var allocator = Allocator(superblock: superblock, scan: scan)
        var random = SeededGenerator(seed: 1)
        #expect(try allocator.allocate(size: 1, layout: .contiguous, random: &random).ranges[0].offset == 0xa0_0000)
        #expect(throws: AllocationError.outOfSpace(size: 1, freeBytes: 0)) {
            try allocator.allocate(size: 1, layout: .contiguous, random: &random)
        }
    }

    @Test func bucketOrderIsASeededPermutation() {
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        let first = Allocator.bucketOrder(count: 64, random: &a)
        #expect(first == Allocator.bucketOrder(count: 64, random: &b))
        #expect(first.sorted() == Array(0..<64))
        #expect(first != Array(0..<64))
        #expect(Allocator.bucketOrder(count: 1, random: &a) == [0])
    }

    @Test func plannerRefusesDuplicatesAndMissingParents() throws {
        let (superblock, scan) = try emptyFilesystem()
        var planner = EntryPlanner(superblock: superblock, scan: scan)
        var random = SeededGenerator(seed: 1)
        try planner.mkdir(Array("a/b".utf8), owner: owner, parents: true)
        #expect(planner.bodies.count == 2)
        try planner.creat(Array("a/b/f".utf8), size: 5, owner: owner, layout: .contiguous, random: &random)
        try planner.creat(Array("a/b/f".utf8), size: 5, owner: owner, layout: .contiguous, random: &random)
        #expect(planner.unchanged == [Array("a/b/f".utf8)])
        #expect(throws: PlanError.sizeMismatch("a/b/f", logged: 5, requested: 6)) {
            try planner.creat(Array("a/b/f".utf8), size: 6, owner: owner, layout: .contiguous, random: &random)
        }
        #expect(throws: PlanError.parentNotDirectory("a/b/f/g", parent: "a/b/f")) {
            try planner.creat(Array("a/b/f/g".utf8), size: 6, owner: owner, layout: .contiguous, random: &random)
        }
        #expect(throws: PlanError.missingParent("c/d", parent: "c")) {
            try planner.mkdir(Array("c/d".utf8), owner: owner, parents: false)
        }
        #expect(throws: PlanError.exists("a/b/f", .file(size: 5))) {
            try planner.mkdir(Array("a/b/f".utf8), owner: owner, parents: true)
        }
        #expect(throws: PlanError.emptyFile("z")) {
            try planner.creat(Array("z".utf8), size: 0, owner: owner, layout: .contiguous, random: &random)
        }
        #expect(planner.bodies.count == 3)
    }
}

extension Allocator {
    /// Marks an extent as used, as a log entry written by another command would.
    mutating func markForTest(_ extent: SimpleExtent) { bitmap.mark(extent) }
}

@Suite struct AllocatorLimitTests {
    /// Every size from the device's file space up to 2^64 - 1 is refused, contiguous or
    /// interleaved, without arithmetic overflow (which traps).
    @Test(arguments: [UInt64.max, UInt64.max - 0x1f_ffff, UInt64.max - 0x20_0000, 1 << 63, (8 << 30) + 1] as [UInt64])
    func sizesPastTheDeviceAreRefused(size: UInt64) throws {
        let (superblock, scan) = try emptyFilesystem()
        var random = SeededGenerator(seed: 1)
        for layout: Allocator.Layout in [
            .contiguous, .interleaved(InterleaveParameters(nbuckets: 2, nstrips: 2)),
            .interleaved(InterleaveParameters(nbuckets: 1, nstrips: 1, chunkSize: 4 << 20)),
        ] {
            var allocator = Allocator(superblock: superblock, scan: scan)
            #expect(throws: AllocationError.largerThanDevice(size: size, allocatableBytes: 8 << 30), "\(layout)") {
                try allocator.allocate(size: size, layout: layout, random: &random)
            }
        }
    }

    /// A size within the device but over its free space is the ordinary out of space.
    @Test func theWholeDeviceIsMoreThanIsFree() throws {
        let (superblock, scan) = try emptyFilesystem()
        var allocator = Allocator(superblock: superblock, scan: scan)
        var random = SeededGenerator(seed: 1)
        #expect(throws: AllocationError.outOfSpace(size: 8 << 30, freeBytes: (8 << 30) - (10 << 20))) {
            try allocator.allocate(size: 8 << 30, layout: .contiguous, random: &random)
        }
    }
}
