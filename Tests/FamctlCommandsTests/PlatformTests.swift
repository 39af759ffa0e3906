// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import FamctlTestSupport
import Foundation
import Glibc
import Testing
@testable import FamfsKit

/// The shared platform layer as the commands use it: one errno describer, one reading of
/// FAMCTL_SYSFS_ROOT, and the famfs opener reading sysfs through the Sysfs the dax commands
/// use, so the simulated kernel serves famfs lookups too.
@Suite struct PlatformTests {
    /// strerror(3)'s text, what daxctl prints; libdaxctl's context error said "errno 1".
    @Test func errnosAreDescribedByStrerror() {
        #expect(errnoDescription(EPERM) == "Operation not permitted")
        #expect(errnoDescription(EIO) == "Input/output error")
        #expect("\(LibDaxctlError.contextCreationFailed(errno: EPERM))" == "cannot create a libdaxctl context: Operation not permitted")
        #expect("\(SysfsError(path: "bus/dax/drivers/kmem/bind", errno: EIO, operation: .write))"
            == "write /sys/bus/dax/drivers/kmem/bind: Input/output error")
    }

    /// An empty FAMCTL_SYSFS_ROOT is unset for every command: /sys.
    @Test(arguments: [(String?.none, "/sys"), ("", "/sys"), ("/srv/tree", "/srv/tree")])
    func theSysfsRootVariable(value: String?, root: String) {
        #expect(HostSysfs.defaultRoot(environment: value) == root)
    }

    /// The famfs commands took an empty FAMCTL_SYSFS_ROOT for a root of "" and looked up
    /// char devices under /dev/char instead of /sys/dev/char.
    @Test func famfsCommandsTakeAnEmptySysfsRootForSys() throws {
        let result = try FamctlBinary.run(["famfs", "fsck", "/dev/null"], environment: ["FAMCTL_SYSFS_ROOT": ""])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/dev/null: not a dax device (no /sys/dev/char/1:3/size)"), "stderr: \(result.stderr)")
    }

    /// A famfs command's device lookup (size, alignment, mode of a char dax device) served
    /// by the simulated kernel through `/sys/dev/char/MAJ:MIN`.
    @Test func theFamfsOpenerReadsTheSimulatedKernel() throws {
        let kernel = SimulatedKernel.hmem(size: 8 << 30)
        let number = try #require(kernel.number(of: "dax0.0"))
        #expect(DeviceNumber(rdev: number.rdev) == number)
        let opener = DeviceOpener(sysfs: kernel)
        let dax = try opener.daxAttributes("/dev/dax0.0", rdev: number.rdev)
        #expect(dax.name == "dax0.0")
        #expect(dax.size == 8 << 30)
        #expect(dax.alignment == 2 << 20)

        try kernel.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
        try kernel.write("bus/dax/drivers/fsdev_dax/new_id", "dax0.0")
        #expect(throws: DeviceError.wrongMode(device: "dax0.0", mode: "famfs")) { try opener.daxAttributes("/dev/dax0.0", rdev: number.rdev) }
        #expect(throws: DeviceError.notInSysfs(path: "/dev/dax9.0", sysfsPath: "/sys/dev/char/252:9/size")) {
            try opener.daxAttributes("/dev/dax9.0", rdev: DeviceNumber(major: 252, minor: 9).rdev)
        }
    }

    /// One JSON writer, two layouts (daxctl's and famctl's), one quoter: `/` is escaped as
    /// json-c escapes it, in the famfs reports too.
    @Test func oneJSONWriterQuotesAlike() {
        let value = JSON.object([("path", .string("/dev/dax0.0")), ("empty", .array([])), ("n", .number(7))])
        #expect(value.pretty() == "{\n  \"path\":\"\\/dev\\/dax0.0\",\n  \"empty\":[\n  ],\n  \"n\":7\n}")
        #expect(value.rendered(indent: 0) == "{\n  \"path\": \"\\/dev\\/dax0.0\",\n  \"empty\": [],\n  \"n\": 7\n}")
        #expect(JSON.quoted("a/b\u{1}", escapingSolidus: false) == "\"a/b\\u0001\"")
    }

    /// Attributes are read whole but bounded: a planted file longer than any attribute is
    /// refused, not read into memory (it was read whatever its size).
    @Test func anAttributeLongerThanAnyIsRefused() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-platform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(repeating: 0x31, count: HostSysfs.attributeLimit).write(to: root.appendingPathComponent("size"))
        try Data(repeating: 0x31, count: HostSysfs.attributeLimit + 1).write(to: root.appendingPathComponent("huge"))
        let sysfs = HostSysfs(root: root.path)
        #expect(try sysfs.read("size").utf8.count == HostSysfs.attributeLimit)
        #expect(throws: SysfsError(path: "huge", errno: EFBIG, operation: .read, root: root.path)) { try sysfs.read("huge") }
    }
}
