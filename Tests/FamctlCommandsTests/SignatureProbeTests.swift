// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
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

    /// A dax device that claims more than its media holds (a sysfs size the mapping cannot
    /// back), standing on a short image: copying its tail faults, so nothing was checked.
    struct ShortDax: DeviceOpening {
        var image: String

        func open(_ path: String, writable: Bool) throws(DeviceError) -> FamfsDevice {
            let fd = Glibc.open(image, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
            guard fd >= 0 else { throw .cannotOpen(path: image, errno: errno) }
            return FamfsDevice(path: path, kind: .charDax(name: "dax0.0"), size: 8 << 30, mappingAlignment: 4096,
                               writable: writable, fd: fd)
        }
    }

    /// A probe that fails refuses (nothing was checked) as an I/O failure; --force goes on.
    @Test func aFailedProbeRefusesUnlessForced() throws {
        let scratch = try Scratch()
        let mkfs = Mkfs(devices: ShortDax(image: try scratch.file("short.img", size: 64 << 20)),
                        mountTable: MountTable(text: ""))
        var request = MkfsRequest(target: "/dev/dax0.0", systemUUID: FamfsUUID(Fixture.systemUUID)!)
        request.dryRun = true
        do {
            _ = try mkfs.run(request)
            Issue.record("mkfs formatted a device it could not probe")
        } catch {
            guard case .probeFailed(.device(.accessFault(let path, _, _, false))) = error else {
                Issue.record("expected a probe failure from the faulting copy, got \(error)")
                return
            }
            #expect(path == "/dev/dax0.0")
            #expect(!error.isRefusal)
            #expect(error.description.hasPrefix("cannot probe for other file systems: "))
        }
        // --kill: the dry run's report would read the missing media too.
        request.force = true
        request.kill = true
        guard case .killed(let plan) = try mkfs.run(request) else {
            Issue.record("expected --kill's outcome")
            return
        }
        #expect(plan.replacedSignatures.isEmpty)
    }

    /// A dax device larger than famfs can hold (a made-up sysfs size) is refused before the
    /// probe or any report is sized from it.
    @Test func aDeviceLargerThanFamfsHoldsIsRefusedFirst() throws {
        struct HugeDax: DeviceOpening {
            var image: String
            func open(_ path: String, writable: Bool) throws(DeviceError) -> FamfsDevice {
                let fd = Glibc.open(image, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw .cannotOpen(path: image, errno: errno) }
                return FamfsDevice(path: path, kind: .charDax(name: "dax0.0"), size: 1 << 63, mappingAlignment: 4096,
                                   writable: false, fd: fd)
            }
        }
        let scratch = try Scratch()
        let mkfs = Mkfs(devices: HugeDax(image: try scratch.file("zero.img", size: 8 << 30)), mountTable: MountTable(text: ""))
        var request = MkfsRequest(target: "/dev/dax0.0", systemUUID: FamfsUUID(Fixture.systemUUID)!)
        request.dryRun = true
        request.force = true
        #expect(throws: MkfsError.tooLarge(path: "/dev/dax0.0", size: 1 << 63, maximum: 1 << 53)) { try mkfs.run(request) }
    }
}
