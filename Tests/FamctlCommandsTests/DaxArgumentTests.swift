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
        #expect(try CreateDevice.parseSize(text, "size") == bytes)
    }

    @Test func badSizesAreRejected() {
        for text in ["", "1x", "-1", "99999999999999999t"] {
            #expect(throws: (any Error).self) { try CreateDevice.parseSize(text, "size") }
        }
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
}
