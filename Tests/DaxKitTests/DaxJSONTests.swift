// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import Testing
@testable import DaxKit

@Suite struct DaxJSONTests {
    @Test(arguments: [
        (16_777_216_000, "15.63 GiB (16.78 GB)"),
        (32_212_254_720, "30.00 GiB (32.21 GB)"),
        (1_054_867_456, "1006.00 MiB (1054.87 MB)"),
        (268_435_456, "256.00 MiB (268.44 MB)"),
        (5000 * 1024, "4.88 MiB (5.12 MB)"),
        (2 << 30, "2.00 GiB (2.15 GB)"),
        (3 << 40, "3.00 TiB (3.30 TB)"),
    ] as [(UInt64, String)])
    func humanSizesRoundLikeDaxctl(bytes: UInt64, text: String) {
        #expect(DaxJSON.humanSize(bytes) == text)
    }

    @Test func smallSizesStayIntegersEvenWhenHuman() {
        #expect(DaxJSON.humanSize(5000 * 1024 - 1) == nil)
        #expect(DaxJSON.size(2_097_152, DaxJSON.Format(human: true)) == .integer(2_097_152))
    }

    @Test func hexFollowsCPercentHashX() {
        let human = DaxJSON.Format(human: true)
        #expect(DaxJSON.hex(0, human) == .string("0"))
        #expect(DaxJSON.hex(0x1_0120_0000, human) == .string("0x101200000"))
        #expect(DaxJSON.hex(0x10, DaxJSON.Format()) == .integer(16))
    }

    @Test func printerEscapesSlashesAndUsesNoSpaceAfterColons() {
        let value = JSON.object([("path", .string("/platform/hmem.0")), ("ok", .bool(true)), ("n", .array([.integer(1), .integer(-2)]))])
        #expect(value.pretty() == """
            {
              "path":"\\/platform\\/hmem.0",
              "ok":true,
              "n":[
                1,
                -2
              ]
            }
            """)
    }

    @Test func humanOutputOfOneElementIsTheBareObject() {
        let one = [JSON.object([("chardev", .string("dax0.0"))])]
        #expect(DaxJSON.document(one, human: true) == "{\n  \"chardev\":\"dax0.0\"\n}")
        #expect(DaxJSON.document(one, human: false) == "[\n  {\n    \"chardev\":\"dax0.0\"\n  }\n]")
        #expect(DaxJSON.document([], human: false) == nil)
    }

    /// `daxctl list -M -u` on the real kernel after `reconfigure-device -m system-ram`
    /// (docs/sysfs-layout.md, "Memory blocks").
    @Test func systemRAMDeviceMatchesTheRealKernelsListing() throws {
        let kernel = SimulatedKernel.nvdimm()
        let controller = DaxController(sysfs: kernel, procfs: kernel)
        let device = try #require(controller.discovery.regions().first?.devices.first)
        _ = try controller.reconfigure(device, ReconfigureOptions(mode: .systemRAM))
        let discovery = DaxDiscovery(sysfs: kernel, readMappings: true)
        let after = try #require(discovery.regions().first?.devices.first)
        let text = DaxJSON.document([DaxJSON.device(after, DaxJSON.Format(human: true, mappings: true))], human: true)
        #expect(text == """
            {
              "chardev":"dax0.0",
              "size":"1006.00 MiB (1054.87 MB)",
              "target_node":0,
              "align":2097152,
              "mode":"system-ram",
              "online_memblocks":7,
              "total_memblocks":7,
              "movable":true,
              "mappings":[
                {
                  "page_offset":"0",
                  "start":"0x101200000",
                  "end":"0x13fffffff",
                  "size":"1006.00 MiB (1054.87 MB)"
                }
              ]
            }
            """)
    }

    /// The NVDIMM region's path and the static region's missing available_size
    /// (docs/sysfs-layout.md, "A region").
    @Test func nvdimmRegionHasItsNamespacePathAndNoAvailableSize() throws {
        let region = try #require(DaxDiscovery(sysfs: SimulatedKernel.nvdimm()).regions().first)
        let text = DaxJSON.region(region, devices: nil, DaxJSON.Format()).pretty()
        #expect(text == """
            {
              "path":"\\/LNXSYSTM:00\\/LNXSYBUS:00\\/ACPI0012:00\\/ndbus0\\/region0\\/dax0.0",
              "id":0,
              "size":1054867456,
              "align":2097152
            }
            """)
    }

    /// A CXL region whose devices booted in system-ram; one has memory partly online, one all
    /// online (movable known), one all online with a Normal block (not movable).
    @Test func cxlDevicesWithPartlyOnlineMemory() throws {
        let kernel = SimulatedKernel.cxl(count: 3, size: 1 << 30)
        let blocks = (0..<3).map { kernel.blocks(of: "dax0.\($0)") }
        #expect(blocks.map(\.count) == [8, 8, 8])
        for block in blocks[0].prefix(5) { kernel.setBlock("memory\(block.index)", online: true, zone: "Movable") }
        for block in blocks[1] + blocks[2] { kernel.setBlock("memory\(block.index)", online: true, zone: "Movable") }
        kernel.setBlock("memory\(blocks[2][3].index)", zone: "Normal")
        let region = try #require(DaxDiscovery(sysfs: kernel).regions().first)
        let devices = region.devices.map { DaxJSON.device($0, DaxJSON.Format()) }
        #expect(devices[0].pretty() == """
            {
              "chardev":"dax0.0",
              "size":1073741824,
              "target_node":2,
              "align":2097152,
              "mode":"system-ram",
              "online_memblocks":5,
              "total_memblocks":8
            }
            """)
        #expect(devices[1].pretty().contains("\"online_memblocks\":8,\n  \"total_memblocks\":8,\n  \"movable\":true\n}"))
        #expect(devices[2].pretty().contains("\"movable\":false"))
        let regionText = DaxJSON.region(region, devices: nil, DaxJSON.Format(human: true)).pretty()
        #expect(regionText.contains("\"path\":\"\\/platform\\/ACPI0017:00\\/root0\\/decoder0.0\\/region0\\/dax_region0\""))
    }

    @Test func unboundAndFamfsAndForeignDevicesSayWhatTheyAre() {
        let base = DaxDevice(name: "dax1.2", regionID: 1, instance: 2, path: "x", size: 4096, state: .unbound)
        #expect(DaxJSON.device(base, DaxJSON.Format()).pretty() == "{\n  \"chardev\":\"dax1.2\",\n  \"size\":4096,\n  \"mode\":\"devdax\",\n  \"state\":\"disabled\"\n}")
        var famfs = base
        famfs.state = .bound(.famfs)
        #expect(DaxJSON.device(famfs, DaxJSON.Format()).pretty().contains("\"mode\":\"famfs\"\n}"))
        var foreign = base
        foreign.state = .unknownDriver("vfio")
        #expect(DaxJSON.device(foreign, DaxJSON.Format()).pretty().hasSuffix("\"mode\":\"unknown\",\n  \"driver\":\"vfio\"\n}"))
    }
}
