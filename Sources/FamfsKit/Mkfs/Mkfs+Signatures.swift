// SPDX-License-Identifier: Apache-2.0

extension Mkfs {
    /// Refuses a target that holds another file system, partition table or RAID member
    /// unless forced, as mkfs.ext4 and mkfs.xfs do; forced, returns what is overwritten for
    /// the summary. A probe that fails refuses too (nothing was checked), but cannot stop a
    /// forced format.
    func foreignSignatures(on device: FamfsDevice, _ request: MkfsRequest) throws(MkfsError) -> [ForeignSignature] {
        let found: [ForeignSignature]
        do { found = try device.foreignSignatures() } catch {
            if request.force { return [] }
            throw .probeFailed(error)
        }
        guard found.isEmpty || request.force else {
            throw .foreignSignatures(path: request.target, found, dryRun: request.dryRun)
        }
        return found
    }

    /// The refusal: `ext4.img holds an ext4 file system (label "data", UUID ...); refusing
    /// to overwrite it (use --force)`.
    static func refusal(path: String, _ signatures: [ForeignSignature], dryRun: Bool) -> String {
        let names = signatures.map(\.description)
        let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " and " + names.last! : names.joined()
        let object = names.count > 1 ? "them" : "it"
        return (dryRun ? "dry run, nothing written: " : "") + "\(path) holds \(list); "
            + (dryRun ? "mkfs would refuse" : "refusing") + " to overwrite \(object) (use --force)"
    }
}
