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
}
