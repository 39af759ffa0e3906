// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import FamctlTestSupport
import Foundation
import Testing

/// `famctl list` run as a process against captured sysfs trees, compared with what the real
/// `daxctl list` printed on the same layouts (docs/sysfs-layout.md).
@Suite struct DaxListEndToEndTests {
    @Test func nvdimmDevdaxMatchesDaxctl() throws {
        let tree = try CapturedTree(.nvdimm())
        defer { tree.remove() }
        let result = try tree.famctl("list")
        #expect(result.status == 0)
        #expect(result.stdout == """
            [
              {
                "chardev":"dax0.0",
                "size":1054867456,
                "target_node":0,
                "align":2097152,
                "mode":"devdax"
              }
            ]

            """)
        #expect(result.stderr.isEmpty)
    }

    @Test func hmemRegionWithDevicesHumanMatchesDaxctl() throws {
        let tree = try CapturedTree(.hmem(size: 256 << 20, base: 0x5000_0000, targetNode: 0))
        defer { tree.remove() }
        let result = try tree.famctl("list", "-R", "-D", "-u")
        #expect(result.status == 0)
        #expect(result.stdout == """
            {
              "path":"\\/platform\\/hmem.0",
              "id":0,
              "size":"256.00 MiB (268.44 MB)",
              "align":2097152,
              "devices":[
                {
                  "chardev":"dax0.0",
                  "size":"256.00 MiB (268.44 MB)",
                  "target_node":0,
                  "align":2097152,
                  "mode":"devdax"
                }
              ]
            }

            """)
    }

    @Test func environmentVariableNamesTheRootToo() throws {
        let tree = try CapturedTree(.nvdimm())
        defer { tree.remove() }
        let byEnvironment = try FamctlBinary.run(["list", "-u"], prefix: ["/usr/bin/env", "FAMCTL_SYSFS_ROOT=\(tree.root.path)"])
        let byOption = try tree.famctl("list", "-u")
        #expect(byEnvironment.status == 0 && byEnvironment.stdout == byOption.stdout)
        #expect(byOption.stdout.contains("\"size\":\"1006.00 MiB (1054.87 MB)\""))
    }

    /// A CXL region with four devices that booted in system-ram, memory partly online, one
    /// device moved to famfs and one disabled: `jq '.[].mode'`-style checks plus exact text.
    @Test func cxlRegionWithSeveralDevicesInEveryState() throws {
        let kernel = try SimulatedKernel.cxlInEveryState()
        let tree = try CapturedTree(kernel)
        defer { tree.remove() }
        let result = try tree.famctl("list")
        #expect(result.status == 0)
        let devices = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(devices.map { $0["chardev"] as? String } == ["dax0.0", "dax0.1", "dax0.2", "dax0.3"])
        #expect(devices.map { $0["mode"] as? String } == ["system-ram", "system-ram", "famfs", "devdax"])
        #expect(devices[0]["online_memblocks"] as? Int == 6 && devices[0]["total_memblocks"] as? Int == 8)
        #expect(devices[0]["movable"] == nil && devices[1]["movable"] as? Bool == true)
        #expect(devices[3]["state"] as? String == "disabled")
        #expect(result.stdout.contains("""
                "mode":"system-ram",
                "online_memblocks":6,
                "total_memblocks":8
              },
            """))
        let region = try tree.famctl("list", "-r", "region0")
        #expect(region.stdout == """
            [
              {
                "path":"\\/platform\\/ACPI0017:00\\/root0\\/decoder0.0\\/region0\\/dax_region0",
                "id":0,
                "size":4294967296,
                "align":2097152
              }
            ]

            """)
    }

    @Test func filtersIdleDevicesAndMappings() throws {
        let kernel = SimulatedKernel.hmem()
        try kernel.write("bus/dax/drivers/device_dax/unbind", "dax0.0")
        try kernel.write("devices/platform/hmem.0/dax0.0/size", "0x80000000")
        try kernel.write("devices/platform/hmem.0/dax_region/create", "1")
        let tree = try CapturedTree(kernel)
        defer { tree.remove() }
        let plain = try tree.famctl("list")
        #expect(plain.stdout.contains("dax0.0") && !plain.stdout.contains("dax0.1"))
        let idle = try tree.famctl("list", "-i", "-d", "0.1")
        #expect(idle.stdout == "[\n  {\n    \"chardev\":\"dax0.1\",\n    \"size\":0,\n    \"target_node\":1,\n    \"align\":2097152,\n    \"mode\":\"devdax\",\n    \"state\":\"disabled\"\n  }\n]\n")
        let mappings = try tree.famctl("list", "-M", "-u", "-d", "dax0.0")
        #expect(mappings.stdout.contains("\"mappings\":[\n    {\n      \"page_offset\":\"0\",\n      \"start\":\"0x100000000\",\n      \"end\":\"0x17fffffff\",\n      \"size\":\"2.00 GiB (2.15 GB)\"\n    }\n  ]"))
        let regions = try tree.famctl("list", "-R")
        #expect(regions.stdout.contains("\"available_size\":2147483648,"))
        let nothing = try tree.famctl("list", "-d", "dax7.0")
        #expect(nothing.status == 0 && nothing.stdout.isEmpty)
    }

    @Test func badNamesAreUsageErrors() throws {
        let tree = try CapturedTree(.hmem())
        defer { tree.remove() }
        let result = try tree.famctl("list", "-d", "nvme0")
        #expect(result.status == 64)
        #expect(result.stderr.contains("'nvme0' is not a dax device"))
        let backend = try tree.famctl("list", "--backend", "libdaxctl")
        #expect(backend.status == 64 && backend.stderr.contains("--backend libdaxctl reads only the host's /sys"))
    }

    /// The libdaxctl and sysfs backends agree on this host's /sys (both empty without dax
    /// hardware, but libdaxctl is really linked and run).
    @Test func bothBackendsGiveTheSameOutputOnTheHost() throws {
        let libdaxctl = try FamctlBinary.run(["list", "-R", "-D", "-i", "--backend", "libdaxctl", "--sysfs-root", "/sys"])
        let sysfs = try FamctlBinary.run(["list", "-R", "-D", "-i", "--backend", "sysfs", "--sysfs-root", "/sys"])
        #expect(libdaxctl.status == 0 && sysfs.status == 0)
        #expect(libdaxctl.stdout == sysfs.stdout)
    }
}
