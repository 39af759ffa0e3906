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

/// A JSON value with ordered keys, rendered with two-space indentation (stable output for
/// diffs and scripts, no Foundation).
public indirect enum JSON: Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case number(UInt64)
    /// A number already formatted.
    case raw(String)
    case bool(Bool)
    case null

    public func rendered(indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let lines = members.map { "\(pad)\(JSON.quoted($0.0)): \($0.1.rendered(indent: indent + 1))" }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(close)}"
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case .string(let text): return JSON.quoted(text)
        case .number(let value): return "\(value)"
        case .raw(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
