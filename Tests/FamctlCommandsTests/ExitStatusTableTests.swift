// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import FamfsKit
import Testing
@testable import FamctlCommands
import Glibc

/// One function decides every exit status, and the help texts and man pages come from the
/// same table.
@Suite struct ExitStatusTableTests {
    static let superblock = VolumeError.superblock(path: "img", .noMagic(found: 0))
    static let unreadable = VolumeError.device(.notFound(path: "img"))

    /// A famfs error's kind gives the status the command's family documents for it.
    @Test func famfsKindsMapPerCommand() {
        #expect(ExitCodes.code(for: Self.superblock, command: FamfsFsck.self) == ExitCodes.fsckInvalidMetadata)
        #expect(ExitCodes.code(for: Self.unreadable, command: FamfsFsck.self) == ExitCodes.fsckUnreadable)
        #expect(ExitCodes.code(for: Self.superblock, command: FamfsMkdir.self) == ExitCodes.refused)
        #expect(ExitCodes.code(for: Self.unreadable, command: FamfsCreat.self) == ExitCodes.ioError)
        #expect(ExitCodes.code(for: Self.superblock, command: FamfsLogplay.self) == 1)
        #expect(ExitCodes.code(for: CommandError.famfsReported(Self.unreadable), command: FamfsMkfs.self) == ExitCodes.ioError)
        #expect(ExitCodes.code(for: CommandError.fsckProblems, command: FamfsFsck.self) == ExitCodes.fsckProblems)
        #expect(ExitCodes.code(for: CommandError.logplayErrors(500), command: FamfsLogplay.self) == 63)
        #expect(ExitCodes.code(for: CommandError.usage("x"), command: List.self) == ExitCodes.usage)
        #expect(ExitCodes.code(for: CommandError.daxReported(.noMatch(argument: "dax9.9")), command: List.self) == 250)
        #expect(ExitCodes.code(for: ValidationError("x"), command: List.self) == nil, "argument-parser's own")
    }

    /// Every "(NNN, ENAME)" a dax command's help cites is that errno's status in the table.
    @Test func daxHelpCitesTheTable() throws {
        let cite = try Regex(#"\((\d{3}), (E[A-Z]+)\)"#)
        let statuses = Dictionary(uniqueKeysWithValues: ExitCodes.table(.dax).map { ($0.summary, $0.code) })
        var cited = 0
        for command in Famctl.configuration.groupedSubcommands[0].subcommands {
            let discussion = command.configuration.discussion
            for match in discussion.matches(of: cite) {
                let code = Int32(try #require(match.output[1].substring))
                let name = String(try #require(match.output[2].substring))
                #expect(statuses[name] == code, "\(command.configuration.commandName!): (\(code!), \(name))")
                cited += 1
            }
        }
        #expect(cited >= 6)
    }

    /// The famfs help texts are the table's summaries.
    @Test func famfsHelpIsTheTable() {
        for (command, family) in [(FamfsFsck.self as any ParsableCommand.Type, ExitCodes.Family.fsck), (FamfsLogplay.self, .logplay),
                                  (FamfsMkfs.self, .famfsWriter), (FamfsMkdir.self, .famfsWriter), (FamfsCreat.self, .famfsWriter)] {
            let discussion = command.configuration.discussion
            #expect(discussion.hasSuffix(ExitCodes.help(family)))
            for status in ExitCodes.table(family) { #expect(discussion.contains("\(status.label) \(status.summary)")) }
        }
    }

    /// Each famfs page lists exactly its family's statuses, then the -M ones.
    @Test(arguments: [("famctl-famfs-fsck", ExitCodes.Family.fsck), ("famctl-famfs-logplay", .logplay), ("famctl-famfs-mkfs", .famfsWriter),
                      ("famctl-famfs-mkdir", .famfsWriter), ("famctl-famfs-creat", .famfsWriter)])
    func famfsPagesListTheTable(page: String, family: ExitCodes.Family) throws {
        let items = DocsManPageTests.section("EXIT STATUS", of: try DocsManPageTests.page(page)).filter { $0.hasPrefix(".It Sy ") }
        let expected = (ExitCodes.table(family) + ExitCodes.table(.famfsMode)).map { status in
            ".It Sy \(status.code)" + (status.last.map { " No to Sy \($0)" } ?? "")
        }
        #expect(items == expected)
    }
}
