// SPDX-License-Identifier: Apache-2.0
/// fsck `-B n`: how used and fragmented each of n equal interleave buckets is.
///
/// Bucket b covers allocation units [b·bucketUnits, (b+1)·bucketUnits) with
/// `bucketUnits = floor(floor(dd_size / AU) / n)`; the units after the last bucket are the
/// overhang. Upstream counted used units twice, never set the smallest fragment and printed
/// `dd_size mod n` as overhang; these are the corrected figures.
public struct BucketStatistics: Equatable, Sendable {
    public struct Bucket: Equatable, Sendable {
        public var sizeBytes: UInt64
        public var usedBytes: UInt64
        public var freeBytes: UInt64 { sizeBytes - usedBytes }
        /// Maximal runs of free units.
        public var freeFragments: Int
        public var largestFragmentBytes: UInt64
        public var smallestFragmentBytes: UInt64
    }

    /// Accepted bucket counts (upstream's interleave limit).
    public static let bucketRange = 1...64

    public var unit: UInt64
    public var overhangUnits: UInt64
    public var buckets: [Bucket]
    public var overhangBytes: UInt64 { overhangUnits * unit }

    public init(bitmap: AllocationBitmap, buckets count: Int) {
        unit = bitmap.unit
        let units = bitmap.allocatableCount
        let bucketUnits = units / UInt64(count)
        overhangUnits = units - bucketUnits * UInt64(count)
        buckets = (0..<UInt64(count)).map { b in
            var used: UInt64 = 0
            var runs: [UInt64] = []
            var run: UInt64 = 0
            for k in b * bucketUnits..<(b + 1) * bucketUnits {
                if bitmap.isSet(k) {
                    used += 1
                    if run > 0 { runs.append(run) }
                    run = 0
                } else {
                    run += 1
                }
            }
            if run > 0 { runs.append(run) }
            return Bucket(sizeBytes: bucketUnits * bitmap.unit, usedBytes: used * bitmap.unit, freeFragments: runs.count,
                          largestFragmentBytes: (runs.max() ?? 0) * bitmap.unit,
                          smallestFragmentBytes: (runs.min() ?? 0) * bitmap.unit)
        }
    }
}
