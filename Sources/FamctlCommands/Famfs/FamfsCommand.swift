// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// `famctl famfs`: the famfs toolset (mkfs, fsck, logplay, mkdir, creat).
struct FamfsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "famfs",
        abstract: "Create, check and populate famfs file systems on dax devices and image files.",
        subcommands: [
            FamfsMkfs.self,
            FamfsFsck.self,
            FamfsLogplay.self,
            FamfsMkdir.self,
            FamfsCreat.self,
        ]
    )
}
