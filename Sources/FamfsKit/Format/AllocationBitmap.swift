// SPDX-License-Identifier: Apache-2.0
/// One bit per allocation unit of the device, rebuilt from the log (upstream keeps no bitmap
/// on media). Bit k covers [k·AU, (k+1)·AU).
public struct AllocationBitmap: Sendable {
    public let unit: UInt64
    /// `ceil(dd_size / AU)`, as upstream sizes it (capacity figures use this).
    public let bitCount: UInt64
    /// Units that may be allocated: a partial last unit never is.
    public let allocatableCount: UInt64
    private(set) var words: [UInt64]
    /// Bits found already set while marking (one per unit).
    public private(set) var collisions: UInt64 = 0
    public private(set) var setCount: UInt64 = 0

    /// A bitmap with the superblock region and log reserved.
    public init(superblock: Superblock) {
        unit = superblock.allocationUnit
        bitCount = Self.ceilDivide(superblock.deviceSize, unit)
        allocatableCount = superblock.deviceSize / unit
        words = [UInt64](repeating: 0, count: Int((bitCount + 63) / 64))
        let metadataEnd = superblock.logOffset + superblock.logLength
        markUnits(0, count: Self.ceilDivide(metadataEnd, unit))
    }

    /// Rebuilds the bitmap from the valid entries of a scan.
    public init(superblock: Superblock, scan: LogScan) {
        self.init(superblock: superblock)
        for entry in scan.entries {
            guard case .file(let file) = entry.body else { continue }
            for extent in file.extents.ranges { mark(extent) }
        }
    }

    /// Marks the units an extent covers; already-set units count as collisions.
    public mutating func mark(_ extent: SimpleExtent) {
        // Shifts where the unit is a power of two (every unit famfs accepts): fsck marks the
        // extents of every file in its in-order loop, where three divisions per file show.
        if unit != 0, unit & (unit &- 1) == 0 {
            let shift = UInt64(unit.trailingZeroBitCount)
            markUnits(extent.offset >> shift, count: extent.length >> shift + (extent.length & (unit &- 1) == 0 ? 0 : 1))
        } else {
            markUnits(extent.offset / unit, count: Self.ceilDivide(extent.length, unit))
        }
    }

    /// ceil(value / divisor) without the overflow of `value + divisor - 1`.
    static func ceilDivide(_ value: UInt64, _ divisor: UInt64) -> UInt64 {
        value / divisor + (value % divisor == 0 ? 0 : 1)
    }

    mutating func markUnits(_ first: UInt64, count: UInt64) {
        let end = min(first &+ count, bitCount)
        var k = first
        while k < end {
            let word = Int(k / 64)
            let bit = UInt64(1) << (k % 64)
            if words[word] & bit != 0 {
                collisions += 1
            } else {
                words[word] |= bit
                setCount += 1
            }
            k += 1
        }
    }

    public func isSet(_ k: UInt64) -> Bool {
        words[Int(k / 64)] & (UInt64(1) << (k % 64)) != 0
    }

    /// Bytes marked in use, reserved metadata included.
    public var allocatedBytes: UInt64 { setCount * unit }
    /// `bitCount · AU`: upstream's "Bitmap capacity".
    public var capacityBytes: UInt64 { bitCount * unit }
}
