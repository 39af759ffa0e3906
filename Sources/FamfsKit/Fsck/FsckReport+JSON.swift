// SPDX-License-Identifier: Apache-2.0
extension FsckReport {
    /// The report as one JSON object for scripts. Keys are fixed and always present (null
    /// where a figure does not exist, e.g. space amplification without file data), sizes
    /// are bytes, and `clean` / `exit_status` give the verdict.
    public func json(target: String, exitStatus: Int32) -> String {
        jsonValue(target: target, exitStatus: exitStatus).rendered(indent: 0) + "\n"
    }

    /// The same object as a value, to embed (mkfs --json carries the report of the new file
    /// system).
    public func jsonValue(target: String, exitStatus: Int32) -> JSON {
        var problemsJSON: [JSON] = []
        for problem in problems {
            problemsJSON.append(.object([
                ("index", .number(problem.index)),
                ("path", problem.path.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
                ("problem", .string(problem.what)),
            ]))
        }
        var object: [(String, JSON)] = [
            ("target", .string(target)),
            ("clean", .bool(isClean)),
            ("exit_status", .number(UInt64(exitStatus))),
            ("superblock", .object([
                ("version", .number(superblock.version)),
                ("omf_major", .number(UInt64(superblock.omfMajor))),
                ("omf_minor", .number(UInt64(superblock.omfMinor))),
                ("fs_uuid", .string(superblock.fsUUID.description)),
                ("device_uuid", .string(superblock.deviceUUID.description)),
                ("system_uuid", .string(superblock.systemUUID.description)),
                ("role", .string(role.rawValue.lowercased())),
                ("alloc_unit", .number(superblock.allocationUnit)),
                ("log_offset", .number(superblock.logOffset)),
                ("log_len", .number(superblock.logLength)),
                ("device_name", .string(superblock.deviceNameString)),
                ("device_size", .number(superblock.deviceSize)),
            ])),
            ("log", .object([
                ("entries_in_use", .number(header.nextIndex)),
                ("slots", .number(slotCount)),
                ("bytes_in_use", .number(logBytesInUse)),
                ("next_seqnum", .number(header.nextSeqnum)),
                ("bad_entries", .number(UInt64(badEntryCount))),
                ("files", .number(UInt64(files))),
                ("directories", .number(UInt64(directories))),
            ])),
            ("allocation", .object([
                ("collisions", .number(collisions)),
                ("device_capacity", .number(superblock.deviceSize)),
                ("bitmap_capacity", .number(bitmapCapacity)),
                ("file_size_sum", .number(fileSizeSum)),
                ("allocated_bytes", .number(allocatedBytes)),
                ("free_bytes", .number(freeBytes)),
                ("space_amplification", spaceAmplification.isFinite ? .raw(cFormat("%.2f", spaceAmplification)) : .null),
                ("percent_used", .raw(cFormat("%.1f", percentUsed))),
            ])),
            ("problems", .array(problemsJSON)),
            ("warnings", .array(warnings.map { .string($0) })),
            ("notes", .array(notes.map { .string($0) })),
        ]
        if let buckets {
            object.append(("buckets", .object([
                ("overhang_bytes", .number(buckets.overhangBytes)),
                ("ranges", .array(buckets.buckets.map { bucket in
                    .object([
                        ("size", .number(bucket.sizeBytes)),
                        ("in_use", .number(bucket.usedBytes)),
                        ("free", .number(bucket.freeBytes)),
                        ("free_fragments", .number(UInt64(bucket.freeFragments))),
                        ("largest_fragment", .number(bucket.largestFragmentBytes)),
                        ("smallest_fragment", .number(bucket.smallestFragmentBytes)),
                    ])
                })),
            ])))
        }
        return .object(object)
    }
}
