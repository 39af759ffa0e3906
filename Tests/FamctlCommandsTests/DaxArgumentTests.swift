// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import DaxSimulator
import Foundation
import Testing
@testable import FamctlCommands

@Suite struct DaxArgumentTests {
    @Test(arguments: [("dax0.0", "dax0.0"), ("0.0", "dax0.0"), ("/dev/dax12.3", "dax12.3"), ("all", nil)] as [(String, String?)])
    func deviceNamesInDaxctlsForms(argument: String, name: String?) throws {
        #expect(try DaxNames.device(argument) == name)
    }

    @Test(arguments: ["dax0", "nvme0n1", "dax-1.0", "daxa.b", ""])
    func otherDeviceNamesAreRejected(argument: String) {
        #expect(throws: (any Error).self) { try DaxNames.device(argument) }
    }

    @Test func regions() throws {
        #expect(try DaxNames.region("region3") == 3)
        #expect(try DaxNames.region("3") == 3)
        #expect(try DaxNames.region("all") == nil)
        #expect(throws: (any Error).self) { try DaxNames.region("regionX") }
    }

    @Test(arguments: [("4096", UInt64(4096)), ("0x1000", 4096), ("2m", 2 << 20), ("1G", 1 << 30), ("3t", 3 << 40), ("4k", 4096)] as [(String, UInt64)])
    func sizesInDaxctlsSyntax(text: String, bytes: UInt64) throws {
        #expect(try DaxSize(text, what: "size").bytes == bytes)
    }

    @Test func badSizesAreRejected() {
        for text in ["", "1x", "-1", "99999999999999999t"] {
            #expect(throws: (any Error).self) { try DaxSize(text, what: "size") }
        }
    }

    /// -m, -s and -a are typed when the command line is parsed: nothing parses them again
    /// later with a fallback (a mode that did not parse once became devdax).
    @Test func reconfigureOptionsAreParsedOnce() throws {
        let modes = try ReconfigureDevice.parse(["-m", "system-ram", "dax0.0"])
        #expect(modes.mode == .systemRAM && modes.size == nil)
        let resize = try ReconfigureDevice.parse(["-s", "2g", "-a", "0x200000", "dax0.0"])
        #expect(resize.size?.bytes == 2 << 30 && resize.align?.bytes == 2 << 20 && resize.mode == nil)
        for bad in [["-m", "pmem", "dax0.0"], ["-m", "", "dax0.0"], ["-s", "1x", "dax0.0"], ["-a", "-1", "dax0.0"]] {
            let error = try #require(throws: (any Error).self) { try ReconfigureDevice.parse(bad) }
            #expect(ReconfigureDevice.exitCode(for: error).rawValue == ExitCodes.usage, "\(bad)")
        }
        let message = ReconfigureDevice.message(for: try #require(throws: (any Error).self) { try ReconfigureDevice.parse(["-m", "pmem", "x"]) })
        #expect(message.contains("unknown mode 'pmem': expected one of devdax, system-ram, famfs"), "\(message)")
        let created = try CreateDevice.parse(["-s", "1g", "-a", "2m"])
        #expect(created.size?.bytes == 1 << 30 && created.align?.bytes == 2 << 20)
    }

    /// test/daxctl-create.sh's round trip: `list -M -d DEV` output is `create-device --input`.
    @Test func listOutputIsCreateInput() throws {
        let kernel = SimulatedKernel.hmem()
        let device = try #require(DaxDiscovery(sysfs: kernel, readMappings: true).regions().first?.devices.first)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dax-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        for human in [false, true] {
            let text = DaxJSON.device(device, DaxJSON.Format(human: human, mappings: true)).pretty()
            try Data(text.utf8).write(to: file)
            let (region, mappings) = try CreateDevice.readInput(file.path)
            #expect(region == 0)
            #expect(mappings == device.mappings)
        }
        try Data(#"{"chardev":"dax0.0","size":4096}"#.utf8).write(to: file)
        #expect(throws: (any Error).self) { try CreateDevice.readInput(file.path) }
    }

    /// Each malformed `--input` names what was expected; numbers may be plain or "0x" strings.
    @Test(arguments: [
        ("[1, 2]", "a readable JSON object"),
        (#"{"chardev":"dax0.0""#, "a readable JSON object"),
        (#"{"chardev":7,"mappings":[{"start":0,"end":1}]}"#, #"a "chardev":"daxX.Y" key"#),
        (#"{"chardev":"dax1.2","mappings":[]}"#, #"a non-empty "mappings" array (list -M)"#),
        (#"{"chardev":"dax1.2","mappings":{"start":0}}"#, #"a non-empty "mappings" array (list -M)"#),
        (#"{"chardev":"dax1.2","mappings":[{"start":"x","end":1}]}"#, #"mappings with numeric "start" and "end""#),
        (#"{"chardev":"dax1.2","mappings":[{"start":-1,"end":1}]}"#, #"mappings with numeric "start" and "end""#),
        (#"{"chardev":"dax1.2","mappings":[{"start":8,"end":8}]}"#, #"mappings with numeric "start" and "end""#),
    ])
    func malformedInputIsNamed(json: String, expected: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dax-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(json.utf8).write(to: file)
        let error = try #require(throws: ValidationError.self) { try CreateDevice.readInput(file.path) }
        #expect(error.message.contains("expected \(expected)"), "\(error.message)")
    }

    @Test func inputNumbersArePlainOrHexStrings() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dax-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"chardev":"dax1.2","mappings":[{"start":"0x1000","end":8191,"page_offset":"0x2"},{"start":"8192","end":"0x3fff"}]}"#.utf8).write(to: file)
        let (region, mappings) = try CreateDevice.readInput(file.path)
        #expect(region == 1)
        #expect(mappings == [DaxMapping(start: 0x1000, end: 8191, pageOffset: 2), DaxMapping(start: 8192, end: 0x3fff, pageOffset: 0)])
    }
}
