// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// The committed completion scripts are what famctl generates now, and the bash one, loaded
/// in a real bash, offers modes, device names from a sysfs tree, region ids and files.
@Suite struct CompletionScriptTests {
    static let scripts = ["bash": "famctl.bash", "zsh": "_famctl", "fish": "famctl.fish"]

    @Test(arguments: ["bash", "zsh", "fish"])
    func committedScriptIsWhatFamctlGenerates(shell: String) throws {
        let file = SourceTree.root.appending(path: "completions/\(try #require(Self.scripts[shell]))")
        let committed = try String(contentsOf: file, encoding: .utf8)
        let generated = try ChildProcess.run(FamctlBinary.url, ["--generate-completion-script", shell])
        #expect(generated.status == 0)
        #expect(generated.stdout == committed, "completions/\(file.lastPathComponent) is stale; run scripts/gen-docs.sh")
    }

    /// The candidates bash offers for `words` (the last one is the word being completed),
    /// computed by the committed script's `_famctl` the way bash calls it on Tab.
    static func bashCandidates(
        _ words: [String], sysfsRoot: URL? = nil, directory: URL? = nil
    ) throws -> [String] {
        let script = """
            source "$1"; shift
            COMP_WORDS=("$@")
            COMP_CWORD=$(($# - 1))
            COMP_LINE="$*"
            COMP_POINT=${#COMP_LINE}
            _famctl famctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        var environment = [
            "PATH": FamctlBinary.url.deletingLastPathComponent().path + ":/usr/bin:/bin"
        ]
        environment["FAMCTL_SYSFS_ROOT"] = sysfsRoot?.path ?? "/nonexistent"
        let completionFile = SourceTree.root.appending(path: "completions/famctl.bash").path
        let output = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/bash"), ["-c", script, "bash", completionFile] + words,
            environment: environment, in: directory)
        #expect(output.status == 0, "bash: \(output.stderr)")
        return output.stdout.split(separator: "\n").map(String.init).sorted()
    }

    /// A sysfs tree with devices in two regions, as links the way the dax bus has them.
    static func captureSysfs(in directory: URL) throws -> URL {
        let root = directory.appending(path: "sys")
        let devices = root.appending(path: "bus/dax/devices")
        try FileManager.default.createDirectory(at: devices, withIntermediateDirectories: true)
        for (region, name) in [("hmem.0", "dax0.0"), ("hmem.1", "dax1.0"), ("hmem.1", "dax1.1")] {
            let target = root.appending(path: "devices/platform/\(region)/\(name)")
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: devices.appending(path: name).path,
                withDestinationPath: "../../../devices/platform/\(region)/\(name)")
        }
        return root
    }

    @Test func modeValuesComplete() throws {
        #expect(try Self.bashCandidates(["famctl", "reconfigure-device", "--mode", ""]) == ["devdax", "famfs", "system-ram"])
        #expect(try Self.bashCandidates(["famctl", "reconfigure-device", "-m", "sys"]) == ["system-ram"])
    }

    @Test func deviceNamesAndRegionsCompleteFromTheSysfsTree() throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sysfs = try Self.captureSysfs(in: directory)
        #expect(
            try Self.bashCandidates(["famctl", "reconfigure-device", "--mode", "famfs", ""], sysfsRoot: sysfs)
                == ["all", "dax0.0", "dax1.0", "dax1.1"],
            "device arguments need completion: .custom(Completions.daxDevices)")
        #expect(
            try Self.bashCandidates(["famctl", "reconfigure-device", "dax1"], sysfsRoot: sysfs)
                == ["dax1.0", "dax1.1"])
        #expect(
            try Self.bashCandidates(["famctl", "reconfigure-device", "--region", ""], sysfsRoot: sysfs)
                == ["0", "1", "all"])
        // Another tree, other names: nothing is cached or hard-coded.
        try FileManager.default.removeItem(at: sysfs.appending(path: "bus/dax/devices/dax1.1"))
        #expect(
            try Self.bashCandidates(["famctl", "reconfigure-device", "dax1"], sysfsRoot: sysfs) == ["dax1.0"])
    }

    @Test(arguments: ["mkfs", "fsck", "logplay", "mkdir", "creat"])
    func imageTargetsCompleteAsFiles(subcommand: String) throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["alpha.img", "beta.img"] {
            try Data().write(to: directory.appending(path: name))
        }
        try FileManager.default.createDirectory(at: directory.appending(path: "images"), withIntermediateDirectories: false)
        #expect(
            try Self.bashCandidates(["famctl", "famfs", subcommand, ""], directory: directory)
                == ["alpha.img", "beta.img", "images"],
            "the device-or-image argument of famctl famfs \(subcommand) needs completion: .file()")
        #expect(try Self.bashCandidates(["famctl", "famfs", subcommand, "al"], directory: directory) == ["alpha.img"])
    }

    @Test func subcommandsComplete() throws {
        #expect(
            try Self.bashCandidates(["famctl", "famfs", ""])
                == ["--help", "--version", "-h", "creat", "fsck", "logplay", "mkdir", "mkfs"])
        #expect(try Self.bashCandidates(["famctl", "re"]) == ["reconfigure-device"])
    }

    /// The candidates fish offers for `line` (`complete -C`), descriptions dropped. fish runs
    /// without a terminal here, where it cannot call famctl for dynamic candidates, so only
    /// static lists and files are checked in fish.
    static func fishCandidates(_ line: String, directory: URL? = nil) throws -> [String] {
        let completionFile = SourceTree.root.appending(path: "completions/famctl.fish").path
        let output = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/fish"),
            ["-c", "source $argv[1]; complete -C $argv[2]", completionFile, line],
            environment: ["PATH": FamctlBinary.url.deletingLastPathComponent().path + ":/usr/bin:/bin"],
            in: directory)
        #expect(output.status == 0, "fish: \(output.stderr)")
        return output.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }.sorted()
    }

    @Test func fishCompletesModesSubcommandsAndFiles() throws {
        #expect(try Self.fishCandidates("famctl reconfigure-device --mode ") == ["devdax", "famfs", "system-ram"])
        #expect(try Self.fishCandidates("famctl famfs ") == ["creat", "fsck", "logplay", "mkdir", "mkfs"])
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data().write(to: directory.appending(path: "alpha.img"))
        try FileManager.default.createDirectory(at: directory.appending(path: "images"), withIntermediateDirectories: false)
        #expect(try Self.fishCandidates("famctl famfs fsck ", directory: directory) == ["alpha.img", "images/"])
    }

    @Test func zshScriptParses() throws {
        let file = SourceTree.root.appending(path: "completions/_famctl").path
        let output = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/zsh"), ["-n", file])
        #expect(output.status == 0, "zsh -n: \(output.stderr)")
        #expect(output.stderr.isEmpty)
    }
}
