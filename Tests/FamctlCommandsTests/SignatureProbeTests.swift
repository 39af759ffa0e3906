// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import FamfsKit

/// The probe of a char dax device, which cannot be read(2): its head and tail copied into a
/// sparse memory file and probed there. An image stands in for the device; the descriptor
/// probe of the same image is the reference.
@Suite struct SignatureProbeTests {
    func probeBothWays(_ image: String) throws -> (copied: [ForeignSignature], direct: [ForeignSignature]) {
        let device = try DeviceOpener().open(image, writable: false)
        return (try device.foreignSignaturesInCopy(), try device.foreignSignatures())
    }

    @Test func theCopyFindsSignaturesAtTheStart() throws {
        let scratch = try Scratch()
        for foreign in [ForeignImage.ext4, ForeignImage.xfs] {
            let (copied, direct) = try probeBothWays(try foreign.make(in: scratch))
            #expect(copied == [ForeignSignature(type: foreign.name, usage: .filesystem, label: "data", uuid: ForeignImage.uuid)])
            #expect(copied == direct)
        }
    }

    /// md 0.90's superblock is 64 KiB before the end: found only if the tail is copied at its offset.
    @Test func theCopyFindsSignaturesAtTheEnd() throws {
        let scratch = try Scratch()
        let (copied, direct) = try probeBothWays(try ForeignImage.md090(in: scratch))
        #expect(copied == [ForeignSignature(type: "linux_raid_member", usage: .raid, uuid: ForeignImage.uuid)])
        #expect(copied == direct)
    }

    /// A device smaller than the head and tail together is copied whole.
    @Test func aSmallTargetIsCopiedWhole() throws {
        let scratch = try Scratch()
        let (copied, direct) = try probeBothWays(try ForeignImage.vfat.make(in: scratch, size: 3 << 20))
        #expect(copied == [ForeignSignature(type: "vfat", usage: .filesystem, label: "DATA", uuid: "1234-ABCD")])
        #expect(copied == direct)
    }

    @Test func nothingOnAZeroedTarget() throws {
        let scratch = try Scratch()
        let (copied, direct) = try probeBothWays(try scratch.file("zero.img", size: 8 << 30))
        #expect(copied.isEmpty && direct.isEmpty)
    }

    /// A dax device whose sysfs size does not fit off_t, standing on an image: the copy
    /// cannot be made, so nothing was checked.
    struct OversizedDax: DeviceOpening {
        var image: String

        func open(_ path: String, writable: Bool) throws(DeviceError) -> FamfsDevice {
            let fd = Glibc.open(image, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
            guard fd >= 0 else { throw .cannotOpen(path: image, errno: errno) }
            return FamfsDevice(path: path, kind: .charDax(name: "dax0.0"), size: 1 << 63, mappingAlignment: 4096,
                               writable: writable, fd: fd)
        }
    }

    /// A probe that fails refuses (nothing was checked) as an I/O failure; --force goes on.
    @Test func aFailedProbeRefusesUnlessForced() throws {
        let scratch = try Scratch()
        let mkfs = Mkfs(devices: OversizedDax(image: try scratch.file("zero.img", size: 8 << 30)),
                        mountTable: MountTable(text: ""))
        var request = MkfsRequest(target: "/dev/dax0.0", systemUUID: FamfsUUID(Fixtures.systemUUID)!)
        request.dryRun = true
        let failure = SignatureProbeError.copy(path: "/dev/dax0.0", step: "ftruncate", errno: EFBIG)
        #expect(throws: MkfsError.probeFailed(failure)) { try mkfs.run(request) }
        #expect(!MkfsError.probeFailed(failure).isRefusal)
        #expect(MkfsError.probeFailed(failure).description == "/dev/dax0.0: cannot probe for other file systems: "
            + "ftruncate of the copy failed: File too large; use --force to format without the check")
        // --kill: a dry run's fsck report of an 8 EiB device would need its allocation map.
        request.force = true
        request.kill = true
        guard case .killed(let plan) = try mkfs.run(request) else {
            Issue.record("expected --kill's outcome")
            return
        }
        #expect(plan.replacedSignatures.isEmpty)
    }
}
