// SPDX-License-Identifier: Apache-2.0
import Glibc

extension FsckReport {
    /// Upstream's report, column for column, from `Famfs Superblock:` to the empty line
    /// after `Famfs log:`; `human` prints byte figures as GiB with two decimals.
    public func text(human: Bool = false) -> String {
        var out = """
            Famfs Superblock:
              Filesystem UUID:   \(superblock.fsUUID)
              Device UUID:       \(superblock.deviceUUID)
              System UUID:       \(superblock.systemUUID)
              role of this node: \(role.rawValue)
              alloc_unit:        0x\(hex(superblock.allocationUnit))
              OMF major version: \(superblock.omfMajor)
              OMF minor version: \(superblock.omfMinor)
              sizeof superblock: \(Superblock.size)
              log size (bytes):  \(superblock.logLength)
              primary: \(superblock.deviceNameString)   \(superblock.deviceSize)

            Log stats:
              # of log entries in use: \(header.nextIndex) of \(slotCount)
              Log size in use:          \(logBytesInUse)
              Log size (total bytes)    \(superblock.logLength)

            """
        if collisions == 0 {
            let bytes = { (value: UInt64) in human ? cFormat("%.2fG", Double(value) / Double(1 << 30)) : "\(value)" }
            out += """
                  No allocation errors found

                Capacity:
                  Device capacity:        \(bytes(superblock.deviceSize))
                  Bitmap capacity:        \(bytes(bitmapCapacity))
                  Sum of file sizes:      \(bytes(fileSizeSum))
                  \(human ? "Allocated space:" : "Allocated bytes:")        \(bytes(allocatedBytes))
                  Free space:             \(bytes(freeBytes))
                  Space amplification:     \(cFormat("%.2f", spaceAmplification))
                  Percent used:            \(cFormat("%.1f%%", percentUsed))


                """
        } else {
            out += "ERROR: \(collisions) ALLOCATION COLLISIONS FOUND\n"
        }
        out += """
            Famfs log:
              \(header.nextIndex) of \(slotCount) entries used
              \(badEntryCount) bad log entries detected
              \(files) files
              \(directories) directories


            """
        return out
    }

    /// The `-v` block, with upstream's two slips fixed: the usable log size counts every
    /// slot, and the 24 is labelled as the size of one simple extent.
    public var verboseText: String {
        """
        Verbose:
          log_offset:        \(superblock.logOffset)
          log_len:           \(superblock.logLength)
          log_entry components:
              sizeof(log header) \(LogHeader.size)
              sizeof(log_entry)  \(LogEntry.size)
                  sizeof(mkdir)     92
                  sizeof(file_meta) 520
                      sizeof(fmap)    416
                          sizeof(interleaved_ext[1]): 400
                          sizeof(famfs_simple_ext): 24
          last_log_index:    \(header.lastIndex)
          usable log size:   \(usableLogSize)
          sizeof(struct famfs_log_file_meta): 520


        """
    }
}

extension BucketStatistics {
    /// The `-B` block.
    public var text: String {
        var out = "Stripe bucket info:\n  Wasted overhang: \(overhangBytes) bytes (\(overhangUnits) au)\n"
        for (b, bucket) in buckets.enumerated() {
            out += """
                  Bitmap range \(b)
                    Size:   \(bucket.sizeBytes)
                    In use: \(bucket.usedBytes)
                    Free:   \(bucket.freeBytes)
                    Free fragments: \(bucket.freeFragments)
                    Largest frag:   \(bucket.largestFragmentBytes)
                    Smallest frag:  \(bucket.smallestFragmentBytes)

                """
        }
        return out
    }
}

/// printf-style formatting of one floating-point value, for the figures upstream prints
/// with `%.2f` / `%.1f` (rounding and `inf` exactly as C does).
func cFormat(_ format: String, _ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
