// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Foundation
import Testing
@testable import FamctlCommands
import Glibc

/// Every status a dax command can exit with is in the EXIT STATUS section of that command's
/// page, and the section lists nothing else.
@Suite struct DaxExitStatusTests {
    /// One of each `DaxError` case. `kind` has no default, so a new case does not compile
    /// until it is named there, and `everyCaseHasAnExample` fails until it is added here.
    static let examples: [DaxError] = [
        .autoOnlinePolicy(device: "dax0.0", policy: "online", path: "/sys/devices/system/memory/auto_online_blocks"),
        .memoryOnline(device: "dax0.0", online: 1, total: 2, target: .devdax),
        .blockNotRemovable(device: "dax0.0", block: "memory32"),
        .noWholeMemoryBlock(device: "dax0.0", size: 1, blockSize: 2),
        .driverMissing(device: "dax0.0", driver: DaxDriver.fsdevDax),
        .switchFailed(device: "dax0.0", cause: SysfsError(path: "a", errno: EISDIR, operation: .write), state: ""),
        .driverDidNotChange(device: "dax0.0", expected: nil, found: DaxDriver.kmem, errno: EBUSY, state: ""),
        .foreignDriver(device: "dax0.0", driver: "other"),
        .daxClass(device: "dax0.0"),
        .notSystemRAM(device: "dax0.0", state: "devdax"),
        .statusNotApplicable(device: "dax0.0"),
        .memoryUnknown(device: "dax0.0"),
        .deviceActive(device: "dax0.0"),
        .mustBeDisabled(device: "dax0.0", driver: DaxDriver.deviceDax),
        .noSpace(region: 0),
        .staticRegion(region: 0),
        .noMatch(argument: "dax9.9"),
        .badName(argument: "x", expected: "a device"),
        .invalidValue(what: "size", value: "x", expected: "bytes"),
        .notSysfsTree(root: "/nonexistent", reason: "No such file or directory"),
        .config(.unreadable(path: "/etc/daxctl.conf.d", reason: "Permission denied")),
        .busy(device: "dax0.0", holders: [DeviceHolder(use: .open, pid: 1, command: "sleep", path: "/dev/dax0.0")]),
        .interrupted(.memoryUnknown(device: "dax0.0"), state: ""),
    ]

    static let kinds = 23

    static func kind(_ error: DaxError) -> Int {
        switch error {
        case .autoOnlinePolicy: 0
        case .memoryOnline: 1
        case .blockNotRemovable: 2
        case .noWholeMemoryBlock: 3
        case .driverMissing: 4
        case .switchFailed: 5
        case .driverDidNotChange: 6
        case .foreignDriver: 7
        case .daxClass: 8
        case .notSystemRAM: 9
        case .statusNotApplicable: 10
        case .memoryUnknown: 11
        case .deviceActive: 12
        case .mustBeDisabled: 13
        case .noSpace: 14
        case .staticRegion: 15
        case .noMatch: 16
        case .badName: 17
        case .invalidValue: 18
        case .notSysfsTree: 19
        case .config: 20
        case .interrupted: 21
        case .busy: 22
        }
    }

    @Test func everyCaseHasAnExample() {
        #expect(Set(Self.examples.map(Self.kind)) == Set(0..<Self.kinds))
    }

    /// The statuses dax commands reach: each error case, the errno of any sysfs failure the
    /// kernel or a file system can return (carried by switchFailed, driverDidNotChange and
    /// interrupted), and the command-level failures made with `ExitCodes.dax(errno:)`.
    static func reachableStatuses() -> Set<Int32> {
        var errors = examples
        for errno in Int32(1)...Int32(255) {
            errors.append(.switchFailed(device: "dax0.0", cause: SysfsError(path: "a", errno: errno, operation: .write), state: ""))
            errors.append(.driverDidNotChange(device: "dax0.0", expected: nil, found: nil, errno: errno, state: ""))
        }
        errors += errors.map { .interrupted($0, state: "") }
        var statuses = Set(errors.compactMap { ExitCodes.code(for: $0, command: ReconfigureDevice.self) })
        for errno in Int32(-1)...Int32(300) { statuses.insert(ExitCodes.dax(errno: errno)) }
        return statuses.union([ExitCodes.success, ExitCodes.usage])
    }

    @Test func everyReachableStatusIsADocumentedDaxStatus() {
        let reachable = Self.reachableStatuses()
        #expect(reachable.isSubset(of: ExitCodes.daxStatuses), "undocumented: \(reachable.subtracting(ExitCodes.daxStatuses).sorted())")
        #expect(ExitCodes.code(for: Self.examples[5], command: ReconfigureDevice.self) == 251, "EISDIR is reported as EIO")
    }

    /// The statuses an EXIT STATUS section lists (`.It Sy N`).
    static func listed(onPage name: String) throws -> Set<Int32> {
        Set(DocsManPageTests.section("EXIT STATUS", of: try DocsManPageTests.page(name)).compactMap { line -> Int32? in
            guard line.hasPrefix(".It Sy ") else { return nil }
            return Int32(line.dropFirst(".It Sy ".count))
        })
    }

    /// The EXIT STATUS section of the page of every dax command (and famctl(8)'s, which
    /// lists the famfs codes too) has every reachable status, and a dax page nothing more.
    @Test(arguments: FamctlCommands.Famctl.configuration.groupedSubcommands.first { $0.name == "Dax devices" }!.subcommands.map { $0.configuration.commandName! })
    func eachDaxPageListsExactlyTheStatusesItsCommandCanReturn(command: String) throws {
        let listed = try Self.listed(onPage: "famctl-\(command)")
        let reachable = Self.reachableStatuses()
        let missing = reachable.subtracting(listed).sorted()
        let extra = listed.subtracting(ExitCodes.daxStatuses).sorted()
        #expect(missing.isEmpty, "famctl-\(command)(8) lacks \(missing)")
        #expect(extra.isEmpty, "famctl-\(command)(8) lists \(extra)")
        let missingFromRoot = reachable.subtracting(try Self.listed(onPage: "famctl")).sorted()
        #expect(missingFromRoot.isEmpty, "famctl(8) lacks \(missingFromRoot)")
    }
}
