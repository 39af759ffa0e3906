// SPDX-License-Identifier: Apache-2.0
import CBlkid
import Glibc

/// Something libblkid recognises on a target: a file system, a partition table, a RAID
/// member, an encrypted volume. famfs itself is not among them (famctl reads its own
/// superblock).
public struct ForeignSignature: Equatable, Sendable, CustomStringConvertible {
    /// blkid's USAGE, or a partition table (which blkid reports as PTTYPE, not TYPE).
    public enum Usage: String, Sendable {
        case filesystem
        case partitionTable = "partition_table"
        case raid
        case crypto
        case other
    }

    /// blkid's TYPE (ext4, xfs, vfat, linux_raid_member, crypto_LUKS, swap) or PTTYPE (gpt, dos).
    public var type: String
    public var usage: Usage
    /// As the superblock holds it: read from the target, so printed escaped.
    public var label: String?
    public var uuid: String?

    public init(type: String, usage: Usage, label: String? = nil, uuid: String? = nil) {
        self.type = type
        self.usage = usage
        self.label = label
        self.uuid = uuid
    }

    /// E.g. `an ext4 file system (label "data", UUID 0f3c...)`.
    public var description: String {
        let noun: String
        switch usage {
        case .filesystem: noun = "file system"
        case .partitionTable: noun = "partition table"
        case .raid: noun = "RAID signature"
        case .crypto: noun = "encrypted volume header"
        case .other: noun = "signature"
        }
        var details: [String] = []
        if let label { details.append("label \(JSON.quoted(label, escapingSolidus: false))") }
        if let uuid { details.append("UUID \(JSON.quoted(uuid, escapingSolidus: false).dropFirst().dropLast())") }
        let article = type.lowercased().first.map { "aeiox".contains($0) } == true ? "an" : "a"
        return "\(article) \(type) \(noun)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    public var jsonValue: JSON {
        .object([("type", .string(type)), ("usage", .string(usage.rawValue)),
                 ("label", label.map(JSON.string) ?? .null), ("uuid", uuid.map(JSON.string) ?? .null)])
    }
}

public enum SignatureProbeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Mapping a char dax device to copy its head and tail failed.
    case device(DeviceError)
    /// `step` (memfd_create, ftruncate, write) of the copy failed.
    case copy(path: String, step: String, errno: Int32)
    /// libblkid could not probe the target.
    case libblkid(path: String, step: String, errno: Int32)
    /// libblkid.so.1 (or a function mkfs calls) could not be loaded.
    case libblkidUnavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .device(let error):
            return "cannot probe for other file systems: \(error)"
        case .copy(let path, let step, let code):
            return "\(path): cannot probe for other file systems: \(step) of the copy failed: \(errnoDescription(code))"
        case .libblkid(let path, let step, let code):
            return "\(path): cannot probe for other file systems: libblkid \(step) failed: \(errnoDescription(code))"
        case .libblkidUnavailable(let path, let reason):
            return "\(path): cannot probe for other file systems: cannot load libblkid (\(reason)); install libblkid1"
        }
    }
}

extension FamfsDevice {
    /// How much of a char dax device's start is copied for libblkid: superblocks sit in the
    /// first MiB (ext4, xfs, btrfs, md 1.1/1.2, iso9660, UDF), VMFS at 1-2 MiB and LUKS2's
    /// last secondary header at 4 MiB.
    static let probedHead: UInt64 = 8 << 20
    /// How much of its end: GPT's backup header, md 0.90 and 1.0 superblocks, ZFS's last
    /// labels, UDF's last anchor and the firmware RAID formats (DDF, Intel, LSI, ...) live in
    /// the last 1 MiB; the same 8 MiB as the head leaves room.
    static let probedTail: UInt64 = 8 << 20

    /// File systems, partition tables, RAID members and other signatures libblkid finds on
    /// the target, as mkfs.xfs and wipefs probe. Image files and block devices are probed
    /// through their descriptor. A char dax device can only be mapped (read gives EINVAL):
    /// its head and tail are copied into a sparse memory file of the device's size, at their
    /// own offsets, and that is probed (a signature only in the middle is not seen).
    public func foreignSignatures() throws(SignatureProbeError) -> [ForeignSignature] {
        if case .charDax = kind { return try foreignSignaturesInCopy() }
        return try Self.probe(fd, path: path)
    }

    /// The char dax path, for any target (tests stand an image in for the device).
    func foreignSignaturesInCopy() throws(SignatureProbeError) -> [ForeignSignature] {
        let copy: Int32
        switch Syscall.memfdCreate("famctl-probe") {
        case .success(let value): copy = value
        case .failure(let code): throw .copy(path: path, step: "memfd_create", errno: code.rawValue)
        }
        defer { Syscall.close(copy) }
        // The size comes from sysfs for a dax device: it may not fit off_t.
        guard let length = Int64(exactly: size) else { throw .copy(path: path, step: "ftruncate", errno: EFBIG) }
        if case .failure(let code) = Syscall.ftruncate(copy, length) {
            throw .copy(path: path, step: "ftruncate", errno: code.rawValue)
        }
        let head = min(size, Self.probedHead)
        let tail = max(head, size - min(size, Self.probedTail))
        try copyRange(offset: 0, length: head, to: copy)
        try copyRange(offset: tail, length: size - tail, to: copy)
        return try Self.probe(copy, path: path)
    }

    private func copyRange(offset: UInt64, length: UInt64, to copy: Int32) throws(SignatureProbeError) {
        guard length > 0 else { return }
        let region: MappedRegion
        let bytes: [UInt8]
        do {
            region = try map(offset: offset, length: length)
            bytes = try region.read()
        } catch { throw .device(error) }
        if case .failure(let code) = bytes.withUnsafeBytes({ Syscall.writeAll(copy, $0, at: offset) }) {
            throw .copy(path: path, step: "write", errno: code.rawValue)
        }
    }

    /// Every result of every libblkid chain (superblocks, then partition tables), as wipefs
    /// lists them. Superblocks with bad checksums count too, where libblkid checks them: a
    /// damaged file system is still someone's.
    static func probe(_ fd: Int32, path: String) throws(SignatureProbeError) -> [ForeignSignature] {
        let blkid: cblkid_api
        do { blkid = try LibBlkid.api() } catch { throw .libblkidUnavailable(path: path, reason: error.reason) }
        guard let probe = blkid.blkid_new_probe() else { throw .libblkid(path: path, step: "blkid_new_probe", errno: errno) }
        defer { blkid.blkid_free_probe(probe) }
        func check(_ step: String, _ status: Int32) throws(SignatureProbeError) {
            guard status == 0 else { throw .libblkid(path: path, step: step, errno: errno) }
        }
        try check("blkid_probe_set_device", blkid.blkid_probe_set_device(probe, fd, 0, 0))
        try check("blkid_probe_enable_superblocks", blkid.blkid_probe_enable_superblocks(probe, 1))
        try check("blkid_probe_set_superblocks_flags", blkid.blkid_probe_set_superblocks_flags(
            probe, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE | BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID | BLKID_SUBLKS_BADCSUM))
        try check("blkid_probe_enable_partitions", blkid.blkid_probe_enable_partitions(probe, 1))
        var found: [ForeignSignature] = []
        while true {
            let status = blkid.blkid_do_probe(probe)
            if status == 1 { return found }
            guard status == 0 else { throw .libblkid(path: path, step: "blkid_do_probe", errno: errno) }
            let value = { (name: String) -> String? in
                var data: UnsafePointer<CChar>?
                guard blkid.blkid_probe_lookup_value(probe, name, &data, nil) == 0, let data else { return nil }
                return String(cString: data)
            }
            if let table = value("PTTYPE") {
                found.append(ForeignSignature(type: table, usage: .partitionTable, uuid: value("PTUUID")))
            } else if let type = value("TYPE") {
                found.append(ForeignSignature(
                    type: type, usage: value("USAGE").flatMap(ForeignSignature.Usage.init(rawValue:)) ?? .other,
                    label: value("LABEL"), uuid: value("UUID")))
            }
        }
    }
}

/// libblkid's functions, loaded on first use: famctl does not link libblkid, which would
/// otherwise be loaded and bound at every start (Sources/CBlkid/shim.h).
enum LibBlkid {
    struct LoadFailure: Error { let reason: String }

    /// Written once, by the initializer of this lazily initialized global, and only read after.
    nonisolated(unsafe) private static let table: Result<UnsafePointer<cblkid_api>, LoadFailure> = {
        // Allocated: the struct's non-null pointers leave Swift no empty value to fill in.
        let api = UnsafeMutablePointer<cblkid_api>.allocate(capacity: 1)
        guard cblkid_load(api) == 0 else {
            api.deallocate()
            return .failure(LoadFailure(reason: dlerror().map { String(cString: $0) } ?? "dlopen failed"))
        }
        return .success(UnsafePointer(api))
    }()

    /// The functions; throws when libblkid.so.1 (or a function mkfs calls) is missing.
    static func api() throws(LoadFailure) -> cblkid_api { try table.get().pointee }
}
