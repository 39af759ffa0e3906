// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import FamctlTestSupport
import Foundation
import Testing
@testable import FamctlCommands

/// `reconfigure-device -C`: the mode, online and movable settings from a daxctl.conf.d
/// directory, in-process on the simulated kernel and through the built binary.
@Suite struct DaxCheckConfigTests {
    static let uuid = "ed93e918-e165-49d8-921d-383d7b9660c5"

    /// A temporary daxctl.conf.d holding `files` (name → text).
    struct ConfigDirectory {
        let url: URL
        init(_ files: [String: String]) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-daxctl.conf.d-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (name, text) in files { try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        }
        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    @Test func usageErrorCombinations() {
        for extra in [["-m", "devdax"], ["-N"], ["--movable"], ["--no-movable"], ["-s", "0"], ["-a", "2m"]] {
            #expect(throws: (any Error).self, "-C \(extra)") { try ReconfigureDevice.parse(["-C"] + extra + ["dax0.0"]) }
        }
        #expect(throws: (any Error).self) { try ReconfigureDevice.parse(["-C"]) }
        #expect(throws: Never.self) { try ReconfigureDevice.parse(["-C", "-f", "--dry-run", "dax0.0"]) }
        #expect(throws: Never.self) { try ReconfigureDevice.parse(["--check-config", "--config-dir", "/tmp/x", "dax0.0"]) }
    }

    @Test func aMatchingSectionSwitchesTheDevice() throws {
        let config = try ConfigDirectory([
            "10-other.conf": "[reconfigure-device other]\nnvdimm.uuid = 11111111-2222-3333-4444-555555555555\nmode = devdax\n",
            "20-pmem.conf": "# the nvdimm namespace as memory\n[reconfigure-device pmem0]\nnvdimm.uuid = \(Self.uuid)\nmode = system-ram\nmovable = false\n",
        ])
        defer { config.remove() }
        let kernel = SimulatedKernel.nvdimm(namespaceUUID: Self.uuid)
        let run = try CommandRun(ReconfigureDevice.self, ["-C", "-v", "--config-dir", config.url.path, "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["system-ram"])
        #expect(kernel.driver(of: "dax0.0") == DaxDriver.kmem)
        let blocks = kernel.blocks(of: "dax0.0")
        #expect(blocks.count == 7 && blocks.allSatisfy { $0.online && $0.zone == "Normal" }, "online = true, movable = false")
        #expect(run.stderr.first == "famctl: dax0.0: section 'pmem0' of \(config.url.path)/20-pmem.conf: mode=system-ram online=true movable=false")
        #expect(run.stderr.last == "reconfigured 1 device")
    }

    @Test func famfsAndNoOnlineFromTheConfig() throws {
        let config = try ConfigDirectory(["a.conf": "[reconfigure-device x]\nnvdimm.uuid=\(Self.uuid)\nmode=famfs\n"])
        defer { config.remove() }
        let kernel = SimulatedKernel.nvdimm(namespaceUUID: Self.uuid)
        kernel.drivers.insert(DaxDriver.fsdevDax)
        var run = try CommandRun(ReconfigureDevice.self, ["-C", "--config-dir", config.url.path, "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["famfs"] && kernel.driver(of: "dax0.0") == DaxDriver.fsdevDax)
        try "[reconfigure-device x]\nnvdimm.uuid=\(Self.uuid)\nonline = 0\n".write(
            to: config.url.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        run = try CommandRun(ReconfigureDevice.self, ["-C", "--config-dir", config.url.path, "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.modes == ["system-ram"])
        #expect(kernel.blocks(of: "dax0.0").allSatisfy { !$0.online }, "online = 0: hot-plugged only")
    }

    @Test func noMatchingSectionChangesNothingAndSucceeds() throws {
        let config = try ConfigDirectory(["a.conf": "[reconfigure-device x]\nnvdimm.uuid = 11111111-2222-3333-4444-555555555555\n"])
        defer { config.remove() }
        let kernel = SimulatedKernel.nvdimm(namespaceUUID: Self.uuid)
        let run = try CommandRun(ReconfigureDevice.self, ["-C", "--config-dir", config.url.path, "dax0.0"], on: kernel)
        #expect(run.status == 0 && run.stdout.isEmpty, "no JSON, as daxctl")
        #expect(run.stderr == ["dax0.0: no section of \(config.url.path)/*.conf matches (nvdimm.uuid \(Self.uuid)), nothing changed",
                               "reconfigured 0 devices"])
        #expect(kernel.writeLog.isEmpty && kernel.driver(of: "dax0.0") == DaxDriver.deviceDax)
        let hmem = SimulatedKernel.hmem()
        let plain = try CommandRun(ReconfigureDevice.self, ["-C", "--config-dir", config.url.path + "/missing", "dax0.0"], on: hmem)
        #expect(plain.status == 0 && plain.stderr.first?.hasSuffix("matches (no nvdimm namespace), nothing changed") == true)
        #expect(hmem.writeLog.isEmpty)
    }

    @Test func aBrokenConfigFileIsAnErrorAndChangesNothing() throws {
        let config = try ConfigDirectory(["a.conf": "[reconfigure-device x]\nnvdimm.uuid = \(Self.uuid)\nmode = pmem\n"])
        defer { config.remove() }
        let kernel = SimulatedKernel.nvdimm(namespaceUUID: Self.uuid)
        let run = try CommandRun(ReconfigureDevice.self, ["-C", "--config-dir", config.url.path, "dax0.0"], on: kernel)
        #expect(run.status == 234)
        #expect(run.stderr.first == "famctl: \(config.url.path)/a.conf:3: invalid mode 'pmem': expected devdax, system-ram, famfs")
        #expect(kernel.writeLog.isEmpty)
    }

    /// The configuration is read once per run, not once per device: a file mended after the
    /// first device of a run does not change what the run does with the next.
    @Test func theConfigurationIsReadOncePerRun() throws {
        let config = try ConfigDirectory(["a.conf": "[reconfigure-device x]\nnvdimm.uuid = \(Self.uuid)\nmode = pmem\n"])
        defer { config.remove() }
        let kernel = SimulatedKernel.nvdimm(namespaceUUID: Self.uuid)
        let device = try #require(DaxDiscovery(sysfs: kernel).regions().first?.devices.first)
        let controller = DaxController(sysfs: kernel, procfs: kernel)
        let operation = try ReconfigureDevice.parse(["-C", "--config-dir", config.url.path, "dax0.0"]).values.operation()
        #expect(throws: DaxError.self) { try operation(controller, device) }
        try "[reconfigure-device x]\nnvdimm.uuid = \(Self.uuid)\nmode = system-ram\n".write(
            to: config.url.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        #expect(throws: DaxError.self, "the run keeps what it read") { try operation(controller, device) }
        #expect(kernel.writeLog.isEmpty)
        let next = try ReconfigureDevice.parse(["-C", "--config-dir", config.url.path, "dax0.0"]).values.operation()
        #expect(try next(controller, device).device.state == .bound(.systemRAM), "a new run reads the mended file")
    }

    @Test func binaryDryRunAgainstACapturedTree() throws {
        let tree = try CapturedTree(.nvdimm(namespaceUUID: Self.uuid))
        defer { tree.remove() }
        let config = try ConfigDirectory(["pmem.conf": "[reconfigure-device pmem0]\nnvdimm.uuid = \(Self.uuid)\nmovable = false\n"])
        defer { config.remove() }
        let before = try tree.snapshot()
        let byOption = try tree.famctl("reconfigure-device", "--dry-run", "-C", "--config-dir", config.url.path, "dax0.0")
        #expect(byOption.status == 0)
        #expect(byOption.stdout == tree.systemRAMWrites(blocks: 33..<40, state: "online"), "movable = false")
        let byEnvironment = try FamctlBinary.run(["reconfigure-device", "--sysfs-root", tree.root.path, "--dry-run", "--check-config", "dax0.0"],
                                                 prefix: ["/usr/bin/env", "FAMCTL_DAXCTL_CONFIG_DIR=\(config.url.path)"])
        #expect(byEnvironment.status == 0 && byEnvironment.stdout == byOption.stdout)
        let noMatch = try tree.famctl("reconfigure-device", "-C", "--config-dir", config.url.path + "/missing", "dax0.0")
        #expect(noMatch.status == 0 && noMatch.stdout.isEmpty)
        #expect(noMatch.stderr.hasSuffix("matches (nvdimm.uuid \(Self.uuid)), nothing changed\nreconfigured 0 devices\n"))
        #expect(try tree.snapshot() == before)
        let usage = try tree.famctl("reconfigure-device", "-C", "-m", "devdax", "dax0.0")
        #expect(usage.status == 64 && usage.stderr.contains("--check-config is incompatible with --mode, --no-online and --(no-)movable"))
        let noMovable = try tree.famctl("reconfigure-device", "-C", "--no-movable", "dax0.0")
        #expect(noMovable.status == 64)
    }
}
