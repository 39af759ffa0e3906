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

    /// Listings come from getdents64 itself: every entry of a directory larger than one
    /// read's buffer, with its type, without `.` and `..`, from the start on each call (a
    /// descriptor read before is rewound), for a descriptor and a path alike.
    @Test func aDirectoryIsListedWholeWithTypesOnEveryCall() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-platform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        // 600 names of ~200 bytes: about 130 KiB of records, four buffers' worth.
        let names = (0..<600).map { "f\($0)-" + String(repeating: "x", count: 200) }
        for name in names { try Data().write(to: root.appendingPathComponent(name)) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: "sub")
        let expected = Set(names + ["sub", "link"])
        let fd = open(root.path, O_RDONLY | O_DIRECTORY)
        try #require(fd >= 0)
        defer { close(fd) }
        for _ in 0..<2 {
            let entries = try Syscall.listDirectory(fd).get()
            #expect(entries.count == expected.count)
            #expect(Set(entries.map { String(decoding: $0.name, as: UTF8.self) }) == expected)
            #expect(entries.first { $0.name == Array("sub".utf8) }?.type == UInt8(DT_DIR))
            #expect(entries.first { $0.name == Array("link".utf8) }?.type == UInt8(DT_LNK))
        }
        #expect(Set(try Syscall.listDirectory(root.path).get().map { String(decoding: $0.name, as: UTF8.self) }) == expected)
        guard case .failure(let code) = Syscall.listDirectory(root.appendingPathComponent(names[0]).path) else {
            Issue.record("a regular file was listed as a directory")
            return
        }
        #expect(code.rawValue == ENOTDIR)
    }

    /// Closing a list of descriptors closes exactly those: runs of consecutive ones and
    /// single ones, in any order, and leaves a descriptor between them open.
    @Test func aListOfDescriptorsIsClosedExactly() throws {
        let fds = (0..<12).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        try #require(fds.allSatisfy { $0 >= 0 })
        func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) >= 0 }
        let kept = fds.sorted()[5]
        defer { close(kept) }
        let listed = fds.filter { $0 != kept }
        Syscall.close(listed.reversed())
        #expect(listed.allSatisfy { !isOpen($0) })
        #expect(isOpen(kept))
        Syscall.close([])
    }

    /// A value is whole after the first short read (a sysfs attribute's always is), and one
    /// longer than a read's buffer is read on to its end.
    @Test func anAttributeIsReadWholeInOneOrManyReads() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-platform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let long = String(repeating: "7", count: 3 * 4096 + 5)
        try Data((long + "\n").utf8).write(to: root.appendingPathComponent("long"))
        try Data(String(repeating: "8", count: 4096).utf8).write(to: root.appendingPathComponent("page"))
        let sysfs = HostSysfs(root: root.path)
        #expect(try sysfs.read("long") == long)
        #expect(try sysfs.read("page") == String(repeating: "8", count: 4096))
    }
}
