// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import Foundation
import Testing
@testable import DaxKit

/// daxctl's `/etc/daxctl.conf.d` ini files and how a section is matched to a device.
@Suite struct DaxConfigTests {
    @Test func sectionsKeysCommentsAndWhitespace() throws {
        let text = """
            # daxctl.conf example
            ; another comment style
            [reconfigure-device unique_identifier_foo]
              nvdimm.uuid =  ED93E918-E165-49D8-921D-383D7B9660C5\t
            Mode=devdax ; inline comment
            online = "false"

            [monitor]
            mode = nonsense-for-another-tool

            [Reconfigure-Device bar]
            nvdimm.uuid = 11111111-2222-3333-4444-555555555555
            mode = famfs   # famctl's extension
            movable = '0'
            online = 1
            [reconfigure-device defaults]
            """
        let sections = try DaxConfig.parse(text, file: "a.conf")
        #expect(sections.map(\.name) == ["unique_identifier_foo", "bar", "defaults"])
        #expect(sections[0].uuid == "ed93e918-e165-49d8-921d-383d7b9660c5")
        #expect(sections[0].options == ReconfigureOptions(mode: .devdax, online: false, movable: true, force: false))
        #expect(sections[1].options == ReconfigureOptions(mode: .famfs, online: true, movable: false, force: false))
        #expect(sections[2].uuid == nil)
        #expect(sections[2].options == ReconfigureOptions(mode: .systemRAM, online: true, movable: true, force: false),
                "daxctl's defaults: system-ram, online, movable")
        #expect(sections.allSatisfy { $0.file == "a.conf" })
    }

    @Test func booleansAcceptTrueFalseOneZero() throws {
        let values = [("true", true), ("TRUE", true), ("yes", true), ("1", true), ("false", false), ("False", false), ("no", false), ("0", false)]
        for (value, expected) in values {
            let section = try #require(try DaxConfig.parse("[reconfigure-device x]\nmovable = \(value)", file: "b.conf").first)
            #expect(section.options.movable == expected, "movable = \(value)")
        }
    }

    @Test func badInputNamesFileLineAndExpectation() {
        #expect(throws: DaxConfigError.badValue(file: "c.conf", line: 2, key: "online", value: "maybe", expected: "true, false, yes, no, 1 or 0")) {
            try DaxConfig.parse("[reconfigure-device x]\nonline = maybe", file: "c.conf")
        }
        #expect(throws: DaxConfigError.badValue(file: "c.conf", line: 3, key: "mode", value: "pmem", expected: "devdax, system-ram, famfs")) {
            try DaxConfig.parse("# c\n[reconfigure-device x]\nmode = pmem", file: "c.conf")
        }
        #expect(throws: DaxConfigError.badLine(file: "c.conf", line: 1, text: "[reconfigure-device x")) {
            try DaxConfig.parse("[reconfigure-device x", file: "c.conf")
        }
        #expect(throws: DaxConfigError.badLine(file: "c.conf", line: 2, text: "mode system-ram")) {
            try DaxConfig.parse("[reconfigure-device x]\nmode system-ram", file: "c.conf")
        }
        #expect(DaxConfigError.badValue(file: "c.conf", line: 2, key: "online", value: "maybe", expected: "true, false, yes, no, 1 or 0").description
                == "c.conf:2: invalid online 'maybe': expected true, false, yes, no, 1 or 0")
    }

    @Test func filesAreReadInLexicalOrderAndOnlyConf() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, section) in [("20-b.conf", "b"), ("10-a.conf", "a"), ("30-c.conf.bak", "ignored"), ("3-z.conf", "z")] {
            try "[reconfigure-device \(section)]\nmode = devdax\n".write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let sections = try DaxConfig.load(directory: directory.path)
        #expect(sections.map(\.name) == ["a", "b", "z"])
        #expect(sections.map(\.file) == ["10-a.conf", "20-b.conf", "3-z.conf"].map { directory.path + "/" + $0 })
        #expect(try DaxConfig.load(directory: directory.path + "/missing").isEmpty)
    }

    @Test func matchingUsesTheUuidNdctlListShowsForTheNamespace() throws {
        let kernel = SimulatedKernel.nvdimm(namespaceUUID: "ed93e918-e165-49d8-921d-383d7b9660c5")
        let device = try #require(DaxDiscovery(sysfs: kernel).regions { _ in true }.flatMap(\.devices).first)
        #expect(DaxConfig.namespaceUUID(of: device, sysfs: kernel) == "ed93e918-e165-49d8-921d-383d7b9660c5")
        let sections = try DaxConfig.parse("""
            [reconfigure-device label-uuid]
            nvdimm.uuid = 5f3c8e2a-7d41-4b9e-a0c6-2e1b9f4d8a73
            mode = famfs
            [reconfigure-device ns]
            nvdimm.uuid = ED93E918-E165-49D8-921D-383D7B9660C5
            mode = devdax
            [reconfigure-device ns-again]
            nvdimm.uuid = ed93e918-e165-49d8-921d-383d7b9660c5
            """, file: "d.conf")
        #expect(DaxConfig.section(for: device, sysfs: kernel, in: sections)?.name == "ns", "the uuid ndctl list shows (the nd_dax's, not the label's raw_uuid), first match")
        #expect(DaxConfig.section(for: device, sysfs: kernel, in: Array(sections.prefix(1))) == nil)
        let hmem = SimulatedKernel.hmem()
        let plain = try #require(DaxDiscovery(sysfs: hmem).regions { _ in true }.flatMap(\.devices).first)
        #expect(DaxConfig.namespaceUUID(of: plain, sysfs: hmem) == nil, "no nvdimm namespace behind an hmem device")
        #expect(DaxConfig.section(for: plain, sysfs: hmem, in: sections) == nil)
    }
}
