// SPDX-License-Identifier: Apache-2.0
/// Upstream famfs's allocator (section 13 of the format spec), on a bitmap rebuilt from the
/// log: contiguous first fit in allocation units with a cursor that moves forward within one
/// command, and interleaved ("strided") allocation over randomly ordered buckets. The same
/// commands on the same log give upstream's offsets; only the bucket order is random, and a
/// seeded generator makes it reproducible.
public struct Allocator: Sendable {
    public internal(set) var bitmap: AllocationBitmap
    /// Unit where the next contiguous search starts.
    public private(set) var cursor: UInt64 = 0
    let deviceSize: UInt64

    public init(superblock: Superblock, scan: LogScan) {
        self.init(superblock: superblock, bitmap: AllocationBitmap(superblock: superblock, scan: scan))
    }

    /// An allocator over a bitmap already rebuilt from the log.
    init(superblock: Superblock, bitmap: AllocationBitmap) {
        self.bitmap = bitmap
        deviceSize = superblock.deviceSize
    }

    public enum Layout: Equatable, Sendable {
        case contiguous
        case interleaved(InterleaveParameters)
    }

    /// Allocates `size` bytes (> 0) and returns the extents for the FILE entry.
    public mutating func allocate(
        size: UInt64, layout: Layout, random: inout some RandomNumberGenerator
    ) throws(AllocationError) -> FileEntry.Extents {
        precondition(size > 0, "callers refuse empty files")
        if case .interleaved(let parameters) = layout {
            try parameters.validate(allocationUnit: bitmap.unit, deviceSize: deviceSize)
        }
        // Past this check every count of units and bytes below is bounded by the device
        // (at most Famfs.maximumAllocationUnits units), so no sum or product can overflow,
        // however close to 2^64 the requested size is.
        let allocatableBytes = bitmap.allocatableCount * bitmap.unit
        guard size <= allocatableBytes else { throw .largerThanDevice(size: size, allocatableBytes: allocatableBytes) }
        switch layout {
        case .contiguous:
            return .simple([try allocateContiguous(size: size)])
        case .interleaved(let parameters):
            // Upstream: a file smaller than one chunk is contiguous, searched from the start.
            if size < parameters.chunkSize {
                cursor = 0
                return .simple([try allocateContiguous(size: size)])
            }
            return try allocateInterleaved(size: size, parameters: parameters, random: &random)
        }
    }

    private mutating func allocateContiguous(size: UInt64) throws(AllocationError) -> SimpleExtent {
        let units = AllocationBitmap.ceilDivide(size, bitmap.unit)
        guard let first = bitmap.firstFreeRun(of: units, in: cursor..<bitmap.allocatableCount) else {
            throw .outOfSpace(size: size, freeBytes: bitmap.freeBytes)
        }
        bitmap.markUnits(first, count: units)
        cursor = first + units
        return SimpleExtent(offset: first * bitmap.unit, length: units * bitmap.unit)
    }

    private mutating func allocateInterleaved(
        size: UInt64, parameters: InterleaveParameters, random: inout some RandomNumberGenerator
    ) throws(AllocationError) -> FileEntry.Extents {
        let unit = bitmap.unit
        let chunkUnits = parameters.chunkSize / unit
        let bucketUnits = deviceSize / unit / parameters.nbuckets
        let stripeUnits = parameters.nstrips * chunkUnits
        let stripes = AllocationBitmap.ceilDivide(AllocationBitmap.ceilDivide(size, unit), stripeUnits)
        let stripUnits = stripes * chunkUnits
        var strips: [SimpleExtent] = []
        // Buckets are disjoint, so runs found in different buckets cannot overlap: search
        // first, mark only when every strip has a place (nothing to undo on failure).
        for bucket in Self.bucketOrder(count: Int(parameters.nbuckets), random: &random) {
            let start = UInt64(bucket) * bucketUnits
            let end = min(start + bucketUnits, bitmap.allocatableCount)
            guard start < end, let first = bitmap.firstFreeRun(of: stripUnits, in: start..<end) else { continue }
            strips.append(SimpleExtent(offset: first * unit, length: stripUnits * unit))
            if strips.count == parameters.nstrips { break }
        }
        guard strips.count == parameters.nstrips else {
            throw .stripsUnavailable(nstrips: parameters.nstrips, stripSize: stripUnits * unit, found: UInt64(strips.count))
        }
        for strip in strips { bitmap.mark(strip) }
        return .interleaved(chunkSize: parameters.chunkSize, strips: strips)
    }

    /// Buckets 0..<count shuffled as upstream does (Fisher–Yates from the top).
    static func bucketOrder(count: Int, random: inout some RandomNumberGenerator) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, Int(random.next() % UInt64(i + 1)))
            i -= 1
        }
        return order
    }
}

/// Interleaving parameters (`-N nstrips -B nbuckets -C chunk`).
public struct InterleaveParameters: Equatable, Sendable {
    /// Upstream's default chunk when only -N/-B are given.
    public static let defaultChunkSize: UInt64 = 0x20_0000
    public static let maxBuckets: UInt64 = 64
    /// Smallest bucket upstream accepts.
    public static let minBucketSize: UInt64 = 1 << 30

    public var nbuckets: UInt64
    public var nstrips: UInt64
    public var chunkSize: UInt64

    public init(nbuckets: UInt64, nstrips: UInt64, chunkSize: UInt64 = defaultChunkSize) {
        self.nbuckets = nbuckets
        self.nstrips = nstrips
        self.chunkSize = chunkSize
    }

    /// Upstream's checks, in upstream's order (CLI strip limit first), plus a strip count of
    /// at least one, which upstream forgets and then divides by zero.
    public func validate(allocationUnit: UInt64, deviceSize: UInt64) throws(AllocationError) {
        guard nstrips <= UInt64(LogEntry.maxStrips) else { throw .invalidInterleave("nstrips \(nstrips) exceeds \(LogEntry.maxStrips)") }
        guard nstrips >= 1 else { throw .invalidInterleave("nstrips must be at least 1") }
        guard chunkSize != 0 else { throw .invalidInterleave("chunk size must not be 0") }
        guard chunkSize & (chunkSize - 1) == 0 else {
            throw .invalidInterleave("chunk size 0x\(hex(chunkSize)) must be a power of 2")
        }
        guard chunkSize % allocationUnit == 0 else {
            throw .invalidInterleave("chunk size 0x\(hex(chunkSize)) must be a multiple of the allocation unit 0x\(hex(allocationUnit))")
        }
        guard nstrips <= nbuckets else { throw .invalidInterleave("nstrips \(nstrips) exceeds nbuckets \(nbuckets)") }
        guard nbuckets >= 1 else { throw .invalidInterleave("nbuckets must be at least 1") }
        guard nbuckets <= Self.maxBuckets else { throw .invalidInterleave("nbuckets \(nbuckets) exceeds \(Self.maxBuckets)") }
        guard deviceSize / nbuckets >= Self.minBucketSize else {
            throw .invalidInterleave(
                "bucket size \(deviceSize / nbuckets) (device \(deviceSize) / \(nbuckets) buckets) is below 1 GiB; use fewer buckets")
        }
    }
}

public enum AllocationError: Error, Equatable, Sendable, CustomStringConvertible {
    case outOfSpace(size: UInt64, freeBytes: UInt64)
    /// More than the whole device could hold, used or not.
    case largerThanDevice(size: UInt64, allocatableBytes: UInt64)
    case stripsUnavailable(nstrips: UInt64, stripSize: UInt64, found: UInt64)
    case invalidInterleave(String)

    public var description: String {
        switch self {
        case .outOfSpace(let size, let free):
            return "out of space: no contiguous free range for \(size) bytes (\(free) bytes free in total)"
        case .largerThanDevice(let size, let allocatable):
            return "out of space: \(size) bytes is more than the device holds (\(allocatable) bytes of file space in all)"
        case .stripsUnavailable(let nstrips, let stripSize, let found):
            return "out of space: \(nstrips) strips of \(stripSize) bytes needed, only \(found) buckets have room"
        case .invalidInterleave(let reason):
            return "invalid interleave parameters: \(reason)"
        }
    }
}

/// A small seeded generator (SplitMix64) for reproducible bucket orders (`--seed`).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension AllocationBitmap {
    /// First unit i in `range` with units i..<i+count all free and inside `range`.
    func firstFreeRun(of count: UInt64, in range: Range<UInt64>) -> UInt64? {
        var i = range.lowerBound
        while i < range.upperBound, range.upperBound - i >= count {
            // Whole used words are skipped 64 units at a time.
            if i % 64 == 0, words[Int(i / 64)] == .max {
                i += 64
                continue
            }
            if isSet(i) {
                i += 1
                continue
            }
            var j = i + 1
            while j < i + count, !isSet(j) { j += 1 }
            if j == i + count { return i }
            i = j + 1
        }
        return nil
    }

    /// Free allocatable bytes.
    var freeBytes: UInt64 {
        var used: UInt64 = 0
        for k in 0..<allocatableCount where isSet(k) { used += 1 }
        return (allocatableCount - used) * unit
    }
}
