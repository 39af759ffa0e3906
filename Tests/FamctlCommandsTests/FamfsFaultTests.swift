// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import FamfsKit
import Foundation
import Testing

/// A faulty environment under the mappings: a full file system under a sparse image, an
/// image truncated and a block device shrunk while fsck and logplay read them. Every case
/// ends in a clean error naming the target, never a signal.
@Suite(.serialized) struct FamfsFaultTests {
    /// A crash dies of its signal at once, rather than in Swift's backtracer (which keeps
    /// the stderr pipe open while it waits on the dead process).
    static let noBacktracer = ["SWIFT_BACKTRACE": "enable=no"]

    /// A tmpfs of `size` bytes mounted on a scratch directory for the test's duration. The
    /// test needs root: without the mount it fails, it does not skip.
    final class SmallFileSystem {
        let scratch: Scratch
        let mountPoint: String

        init(size: Int) throws {
            scratch = try Scratch()
            mountPoint = "\(scratch.path)/mnt"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            let mount = try ChildProcess.run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(size)", "famctl-test", mountPoint])
            try #require(mount.status == 0, "cannot mount a tmpfs (the test needs root): \(mount.output)")
        }

        deinit { _ = try? ChildProcess.run(URL(fileURLWithPath: "/bin/umount"), [mountPoint]) }

        /// Writes until the file system has no page left.
        func fill() throws {
            let fd = open("\(mountPoint)/filler", O_WRONLY | O_CREAT, 0o600)
            try #require(fd >= 0)
            defer { close(fd) }
            let chunk = [UInt8](repeating: 0xa5, count: 4096)
            while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == 4096 {}
            #expect(errno == ENOSPC)
        }
    }

    /// A sparse image whose superblock and log header pages hold data and the rest of the
    /// log is holes (as mkfs leaves it), on a small tmpfs.
    static func sparseImage(in fs: SmallFileSystem) throws -> String {
        let image = "\(fs.mountPoint)/fs.img"
        let metadata = try Fixture.image("empty-8g")
        #expect(FileManager.default.createFile(atPath: image, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: image))
        try handle.truncate(atOffset: 8 << 30)
        for page in [0, 0x20_0000] {
            try handle.seek(toOffset: UInt64(page))
            try handle.write(contentsOf: metadata[page..<page + 4096])
        }
        try handle.close()
        return image
    }

    /// mkdir and creat whose next slot lies in a hole of a full file system: exit 3, the
    /// reason from the file system, nothing appended (formerly SIGBUS at the store).
    @Test func appendingOnAFullFileSystemIsACleanErrorThatAppendsNothing() throws {
        let fs = try SmallFileSystem(size: 1 << 20)
        let image = try Self.sparseImage(in: fs)
        let uuid = ["--system-uuid-file", fs.scratch.systemUUIDFile]
        // Slots 0-6 share the header's page; slot 7 starts in the next one, a hole.
        let seven = try FamctlBinary.run(["famfs", "mkdir"] + uuid + [image] + (0..<7).map { "d\($0)" })
        #expect(seven.status == 0, "\(seven.stderr)")
        try fs.fill()
        let before = try Scratch.digest(image, count: 0x20_2000)
        for arguments in [["mkdir", image, "x"], ["creat", "-s", "1m", image, "f"], ["mkdir", image, "y", "z"]] {
            let result = try FamctlBinary.run(["famfs", arguments[0]] + uuid + Array(arguments.dropFirst()), environment: Self.noBacktracer)
            #expect(result.status == 3, "\(arguments): status \(result.status), \(result.stderr)")
            #expect(result.stderr.contains("cannot write \(image): No space left on device"), "\(result.stderr)")
            #expect(try Scratch.digest(image, count: 0x20_2000) == before, "nothing appended")
        }
        let fsck = try FamctlBinary.run(["famfs", "fsck"] + uuid + [image])
        #expect(fsck.status == 0, "\(fsck.stderr)")
        #expect(fsck.stdout.contains("7 of 15420 entries used"), "\(fsck.stdout)")
    }

    /// mkfs --size on a full file system: exit 3 naming the image, and the image it created
    /// is gone (formerly SIGBUS, leaving the file).
    @Test func mkfsOnAFullFileSystemLeavesNoImage() throws {
        let fs = try SmallFileSystem(size: 1 << 20)
        try fs.fill()
        let image = "\(fs.mountPoint)/new.img"
        let result = try FamctlBinary.run(["famfs", "mkfs", "--system-uuid-file", fs.scratch.systemUUIDFile, "--size", "8g", image],
                                          environment: Self.noBacktracer)
        #expect(result.status == 3, "status \(result.status), \(result.stderr)")
        #expect(result.stderr.contains("famctl: mkfs: cannot "), "\(result.stderr)")
        #expect(result.stderr.contains(image), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: image))
    }

    /// A metadata-only image whose 16 MiB log is full (30,840 entries): long enough to scan
    /// that a truncation lands in the middle of fsck or logplay.
    static func fullLogImage(_ scratch: Scratch) throws -> (path: String, bytes: Data) {
        let image = "\(scratch.path)/full.img"
        let made = try ChildProcess.run(DocsHarness.famctlDev, ["famfs-image", image, "--full-log", "--log-length", "16m", "--device-size", "1t"])
        try #require(made.status == 0, "\(made.output)")
        return (image, try Data(contentsOf: URL(fileURLWithPath: image)))
    }

    /// How long `arguments` runs undisturbed, in microseconds.
    static func duration(_ arguments: [String]) throws -> useconds_t {
        let start = DispatchTime.now()
        let result = try FamctlBinary.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return useconds_t((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1000)
    }

    /// Delays spread over the run, so that some truncations land during the reads.
    static func delay(_ round: Int, of rounds: Int, within duration: useconds_t) -> useconds_t {
        duration / useconds_t(rounds) * useconds_t(round)
    }

    /// Runs `arguments` while another thread truncates (or shrinks) the target after a
    /// delay; the outcome must be an exit status, never a signal, and a failure must name
    /// the target. Returns the status and stderr.
    static func race(_ arguments: [String], delay: useconds_t, shrink: @escaping @Sendable () -> Void) throws
        -> (reason: Process.TerminationReason, status: Int32, stderr: String)
    {
        let shrinker = Thread {
            usleep(delay)
            shrink()
        }
        let result = try FamctlBinary.run(arguments, environment: noBacktracer) { _ in shrinker.start() }
        while !shrinker.isFinished { usleep(1000) }
        return (result.reason, result.status, result.stderr)
    }

    /// fsck and logplay on an image truncated while they read it: exit 3 (or the refusal of
    /// a too-short image, when the truncation came first), never SIGBUS.
    @Test func anImageTruncatedWhileReadIsACleanError() throws {
        let scratch = try Scratch()
        let (image, pristine) = try Self.fullLogImage(scratch)
        let uuid = ["--system-uuid-file", scratch.systemUUIDFile]
        var faults = 0
        let commands = [["famfs", "fsck"] + uuid + [image], ["famfs", "logplay", "--dry-run"] + uuid + [image]]
        // logplay reads first and then plans for longer: fsck's run is its reading time too.
        let reading = try Self.duration(commands[0])
        for round in 0..<20 {
            try pristine.write(to: URL(fileURLWithPath: image))
            let arguments = commands[round % 2]
            let outcome = try Self.race(arguments, delay: Self.delay(round / 2, of: 10, within: reading)) {
                truncate(image, 0x20_1000)
            }
            #expect(outcome.reason == .exit, "\(arguments[1]) killed by signal \(outcome.status): \(outcome.stderr)")
            #expect([0, 1, 3].contains(outcome.status), "\(arguments[1]): status \(outcome.status), \(outcome.stderr)")
            if outcome.status != 0 { #expect(outcome.stderr.contains(image), "\(outcome.stderr)") }
            if outcome.status == 3 {
                #expect(outcome.stderr.contains("cannot read \(image): bus error"), "\(outcome.stderr)")
                faults += 1
            }
        }
        #expect(faults > 0, "no run read the image while it shrank")
    }

    /// The same on a block device (a loop device over the image) shrunk under fsck: the
    /// device's pages past its new end fault like a dax device that went away.
    @Test func aBlockDeviceShrunkWhileReadIsACleanError() throws {
        let scratch = try Scratch()
        let (image, pristine) = try Self.fullLogImage(scratch)
        var faults = 0
        var duration: useconds_t?
        for round in 0..<10 {
            try pristine.write(to: URL(fileURLWithPath: image))
            let device = try FamfsBlockDeviceTests.LoopDevice(backing: image)
            defer { withExtendedLifetime(device) {} }
            let loop = device.path
            let fsck = ["famfs", "fsck", "--system-uuid-file", scratch.systemUUIDFile, loop]
            let whole = try duration ?? Self.duration(fsck)
            duration = whole
            let outcome = try Self.race(fsck, delay: Self.delay(round, of: 10, within: whole)) {
                truncate(image, 0x20_1000)
                _ = try? FamfsBlockDeviceTests.LoopDevice.losetup(["--set-capacity", loop])
            }
            #expect(outcome.reason == .exit, "fsck killed by signal \(outcome.status): \(outcome.stderr)")
            #expect([0, 1, 3].contains(outcome.status), "status \(outcome.status), \(outcome.stderr)")
            if outcome.status != 0 { #expect(outcome.stderr.contains(loop), "\(outcome.stderr)") }
            if outcome.status == 3 { faults += 1 }
        }
        #expect(faults > 0, "no run read the device while it shrank")
    }
}
