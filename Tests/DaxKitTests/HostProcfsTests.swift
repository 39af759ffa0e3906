// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
@testable import DaxKit

/// `HostProcfs` on the host's own /proc and on trees that stand for it, the hostile ones too.
@Suite struct HostProcfsTests {
    final class Directory {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-proc-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func file(_ name: String, _ text: String) throws {
            let url = URL(fileURLWithPath: "\(path)/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        func link(_ name: String, to target: String) throws {
            let url = URL(fileURLWithPath: "\(path)/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        }
    }

    static let daxLine = "7f3a40000000-7f3a40200000 rw-s 00000000 00:05 512 /dev/dax0.0\n"

    @Test func theSysfsRootDecidesWhereProcIs() {
        #expect(HostProcfs.root(forSysfsRoot: "/sys", override: "/tmp/elsewhere") == "/proc", "the host's /sys always means /proc")
        #expect(HostProcfs.root(forSysfsRoot: "/sys/", override: nil) == "/proc")
        #expect(HostProcfs.root(forSysfsRoot: "/m/sys", override: nil) == "/m/proc")
        #expect(HostProcfs.root(forSysfsRoot: "/m/sys/", override: "/p") == "/p")
        #expect(HostProcfs.root(forSysfsRoot: "/captured", override: nil) == nil)
        #expect(HostProcfs.root(forSysfsRoot: "sys", override: nil) == "./proc", "a relative sys is the working directory's machine, not the host")
        #expect(HostProcfs.root(forSysfsRoot: "sys/", override: nil) == "./proc")
        #expect(HostProcfs.root(forSysfsRoot: "m/sys", override: nil) == "m/proc")
        #expect(HostProcfs.root(forSysfsRoot: "/captured", override: "") == nil)
    }

    /// Links planted in a tree are never followed: a pid, fd directory, maps or `self` that
    /// is a symlink is not read; a FIFO does not block; an endless maps is cut off and named.
    @Test func aHostileTreeIsReadWithoutFollowingLinks() throws {
        let tree = try Directory()
        try tree.link("100/fd/3", to: "/dev/dax0.0")
        try tree.file("100/comm", "holder\u{1b}[31m\n")
        try tree.link("200", to: "100")
        try tree.link("300/fd", to: "../100/fd")
        try tree.file("elsewhere/maps", Self.daxLine)
        try tree.link("400/maps", to: "../elsewhere/maps")
        try FileManager.default.createDirectory(atPath: "\(tree.path)/500", withIntermediateDirectories: true)
        #expect(mkfifo("\(tree.path)/500/maps", 0o600) == 0)
        try tree.file("600/maps", "")
        try FileHandle(forWritingTo: URL(fileURLWithPath: "\(tree.path)/600/maps")).truncate(atOffset: UInt64(BusyGuard.mapsLimit) + 1)
        try tree.file("other/mountinfo", "36 25 252:0 / /mnt/x rw - famfs /dev/dax0.0 rw\n")
        try tree.link("self", to: "other")
        try tree.file("nonnumeric/maps", Self.daxLine)

        let scan = BusyGuard(procfs: HostProcfs(root: tree.path)).holders(of: "/dev/dax0.0", number: DeviceNumber(major: 252, minor: 0))
        #expect(scan.holders == [
            DeviceHolder(use: .open, pid: 100, command: "holder?[31m", path: "/dev/dax0.0"),
            DeviceHolder(use: .uncheckedMaps, pid: 600, command: "?", path: "/dev/dax0.0"),
        ])
        #expect(scan.holders[1].description == "pid 600 (?) has maps longer than 256 MiB, not all checked")
        #expect(scan.unreadable == 6, "100 and 300 have no maps, 400 and 500 none that is a file, 600 no fd directory, 200 is a link")
    }

    @Test func longLinesAndMissingNewlinesAreHandled() throws {
        let tree = try Directory()
        let long = String(repeating: "x", count: 3 * Int(PATH_MAX))
        try tree.file("7/maps", "\(long)\n\(Self.daxLine.dropLast())")
        try FileManager.default.createDirectory(atPath: "\(tree.path)/7/fd", withIntermediateDirectories: true)
        try tree.file("7/comm", "m\n")
        let scan = BusyGuard(procfs: HostProcfs(root: tree.path)).holders(of: "/dev/dax0.0", number: nil)
        #expect(scan.holders == [DeviceHolder(use: .mapped, pid: 7, command: "m", path: "/dev/dax0.0")])
        #expect(scan.unreadable == 0)
    }

    /// Lines split across the 64 KiB reads are put back together.
    @Test func linesAcrossReadBoundaries() throws {
        let tree = try Directory()
        var text = ""
        var count = 0
        while text.utf8.count < 300_000 {
            text += "7f3a40000000-7f3a40200000 r--p 00000000 fe:01 \(count) /usr/lib/x86_64-linux-gnu/libc.so.6\n"
            count += 1
        }
        try tree.file("9/maps", text)
        let fd = open("\(tree.path)/9/maps", O_RDONLY)
        defer { close(fd) }
        var lines = 0
        var intact = 0
        #expect(HostProcfs.forEachLine(fd, limit: 1 << 30) { line in
            lines += 1
            if line.starts(with: "7f3a40000000".utf8) && String(decoding: line, as: UTF8.self).hasSuffix("libc.so.6") { intact += 1 }
        } == .complete)
        #expect(lines == count && intact == count)
    }

    /// A dry run that could not read some processes says so (as a user, other users'
    /// descriptors are unreadable); a real run does not (it needs root anyway).
    @Test func aDryRunCountsWhatItCouldNotInspect() throws {
        let tree = try Directory()
        try tree.file("42/comm", "x\n")
        let machine = try Machine()
        let dry = try DaxController(sysfs: machine.kernel, procfs: HostProcfs(root: tree.path), dryRun: true)
            .reconfigure(machine.device, ReconfigureOptions(mode: .famfs))
        #expect(dry.notes == ["dax0.0: dry run: 1 process(es) could not be inspected (not root?); holders among them are not shown"])
        let real = try DaxController(sysfs: machine.kernel, procfs: HostProcfs(root: tree.path)).reconfigure(machine.device, ReconfigureOptions(mode: .famfs))
        #expect(real.notes.isEmpty && machine.driver == DaxDriver.fsdevDax)
    }

    /// The host's /proc: a child holding a file open, this process mapping it, and a node
    /// of another name matched by its device number.
    @Test func theHostsOwnProc() throws {
        let directory = try Directory()
        let path = "\(directory.path)/node"
        try Data(count: 8192).write(to: URL(fileURLWithPath: path))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["30"]
        child.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        defer { child.terminate() }
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        let mapping = try #require(mmap(nil, 4096, PROT_READ, MAP_SHARED, fd, 0))
        defer { munmap(mapping, 4096) }
        let procfs = HostProcfs(root: "/proc")
        let scan = BusyGuard(procfs: procfs).holders(of: path, number: nil)
        #expect(scan.holders.contains(DeviceHolder(use: .open, pid: child.processIdentifier, command: "sleep", path: path)))
        #expect(scan.holders.contains { $0.use == .mapped && $0.pid == getpid() && $0.path == path })
        // /dev/null (1:3) under another name: found through the magic link's device number.
        let null = BusyGuard(procfs: procfs).holders(of: "/dev/other-name", number: DeviceNumber(major: 1, minor: 3))
        #expect(null.holders.contains(DeviceHolder(use: .open, pid: child.processIdentifier, command: "sleep", path: "/dev/null")))
    }

    /// The `stat` line of process `pid`: its state letter and its flags word (after the
    /// command, whose parentheses may hold anything).
    static func stat(_ pid: Int32) -> (state: UInt8, flags: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 7, let state = fields[0].utf8.first, let flags = UInt64(fields[6]) else { return nil }
        return (state, flags)
    }

    /// Whether `condition` comes true within 5 s (checked every 10 ms).
    static func poll(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// The guard skips the processes without an address space, which the host's /proc tells
    /// by `exe` and `cwd`: the kernel threads (PF_KTHREAD in their flags) and a child that has
    /// exited and is not reaped yet. This process, and a tree standing for /proc (where no
    /// `exe` says anything), are read in full. (A process whose first thread exited before
    /// the others: the real-kernel suite's busy-guard check.)
    @Test func processesWithoutAnAddressSpaceAreKnownOnTheHostsOwnProc() throws {
        let procfs = HostProcfs(root: "/proc")
        #expect(procfs.tables(of: getpid()) == .process)
        let kernelThreads = procfs.processIDs().filter { (Self.stat($0)?.flags ?? 0) & 0x0020_0000 != 0 }
        for pid in kernelThreads { #expect(procfs.tables(of: pid) == ProcessTables.none, "kernel thread \(pid)") }

        // posix_spawn, not Process, which reaps its children itself. waitid with WNOWAIT
        // leaves the zombie in place once it has exited.
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0)
        var info = siginfo_t()
        #expect(waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0)
        #expect(Self.stat(pid)?.state == UInt8(ascii: "Z"))
        #expect(procfs.tables(of: pid) == ProcessTables.none, "an exited child")
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)

        let tree = try Directory()
        try tree.file("42/comm", "kworker\n")
        #expect(HostProcfs(root: tree.path).tables(of: 42) == .process)
    }

    /// A process whose first thread exited (pthread_exit) while a second one holds a file
    /// mapped and open: `/proc/PID/maps` and `fd` are empty, `task/TID`'s are not, and the
    /// guard finds both holds there. The holder is the real-kernel suite's `vmhelper
    /// holdthread`, built here with the C compiler the package's C targets need.
    @Test func aProcessWhoseFirstThreadExitedIsReadThroughItsThreads() throws {
        let directory = try Directory()
        let (file, ready, helper) = ("\(directory.path)/held", "\(directory.path)/ready", "\(directory.path)/vmhelper")
        try Data(count: 2 << 20).write(to: URL(fileURLWithPath: file))
        let source = SourceTree.root.appendingPathComponent("scripts/vm/vmhelper.c").path
        let build = try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), [
            "-c", "cc=$(command -v cc || command -v clang) && \"$cc\" -O2 -pthread -o \"$1\" \"$2\"", "sh", helper, source,
        ])
        try #require(build.status == 0, "building vmhelper: \(build.stderr)")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let words: [String] = ["vmhelper", "holdthread", file, "0x200000", ready]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The holder waits for SIGUSR1, which this thread may have blocked: the child gets an
        // empty mask, not this thread's.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, helper, &actions, &attributes, argv, environ) == 0)
        defer {
            kill(pid, SIGUSR1)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try #require(Self.poll { !((try? String(contentsOfFile: ready, encoding: .utf8))?.isEmpty ?? true) }, "holder ready")
        // The first thread exits right after starting the second; wait until it has.
        try #require(Self.poll { Self.stat(pid)?.state == UInt8(ascii: "Z") }, "first thread exited")

        let procfs = HostProcfs(root: "/proc")
        guard case .threads(let threads) = procfs.tables(of: pid) else {
            Issue.record("tables of \(pid): \(procfs.tables(of: pid)), expected its surviving thread")
            return
        }
        #expect(threads.count == 1 && threads[0] != pid)
        let scan = BusyGuard(procfs: procfs).holders(of: file, number: nil)
        #expect(scan.holders.contains(DeviceHolder(use: .mapped, pid: pid, command: "vmhelper", path: file)))
        #expect(scan.holders.contains(DeviceHolder(use: .open, pid: pid, command: "vmhelper", path: file)))
    }
}
