// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamfsKit
import FoundationEssentials
import Glibc

struct FamfsCreat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "creat",
        abstract: "Create and allocate files in a famfs file system.",
        discussion: """
            Allocates space with upstream famfs's allocator and appends one FILE entry per file \
            to the log of TARGET (a char dax device, an image file or a path inside a mounted \
            famfs). All files of one command are planned under one lock and one bitmap rebuild \
            and appended together: when any of them cannot be created, nothing is appended. A \
            file that already exists with the same size is left alone. Only the owner host may \
            append. --seed fixes the otherwise random bucket order of interleaved files.

            \(ExitCodes.help(.famfsWriter))
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "File size: decimal, 0x hex or 0 octal (as upstream reads it: 010 is 8) with an optional k, m, g or t suffix.",
        valueName: "size"))
    var size: String?

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Mode in octal digits, 0 to 07777 (setuid 04000, setgid 02000 and sticky 01000 included), reduced by the umask.",
        valueName: "mode"))
    var mode = OctalMode(argument: "0644")!

    @Flag(name: .customLong("no-umask"), help: "Do not reduce the mode by the umask.")
    var noUmask = false

    @OptionGroup var ownerOptions: OwnerOptions

    @Option(name: .customShort("N"), help: ArgumentHelp(
        "Interleave: number of strips (1-16, read as -u is); no default, and -B is needed with it.", valueName: "nstrips"))
    var nstrips: CInteger<UInt64>?

    @Option(name: .customShort("B"), help: ArgumentHelp(
        "Interleave: number of buckets the device is divided into (1-64, read as -u is); no default, and -N is needed with it.",
        valueName: "nbuckets"))
    var nbuckets: CInteger<UInt64>?

    @Option(name: .customShort("C"), help: ArgumentHelp(
        "Interleave: chunk size, a size as for -s (default 2m); needs -N and -B.", valueName: "chunk"))
    var chunk: String?

    @Option(help: ArgumentHelp("Seed for the interleave bucket order (default: random, as upstream).", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("File with one `path size [mode uid gid]` per line (a pipe or FIFO too; - for standard input).", valueName: "file"))
    var manifest: String?

    @OptionGroup var environment: FamfsEnvironmentOptions

    @OptionGroup var daxMode: FamfsDaxModeOptions

    @Argument(help: ArgumentHelp("Char dax device, image file, or a path inside a mounted famfs.", valueName: "target"),
              completion: .file())
    var target: String

    @Argument(help: ArgumentHelp("Files to create (size -s), relative to the file system root.", valueName: "path"))
    var paths: [String] = []

    func validate() throws {
        guard !paths.isEmpty || manifest != nil else { throw ValidationError("give at least one file path or --manifest") }
        if !paths.isEmpty {
            guard let size else { throw ValidationError("missing -s/--size for \(paths[0])") }
            guard let bytes = ByteSize.parse(size) else {
                throw ValidationError("invalid size '\(size)' (expected bytes with an optional k, m, g or t suffix)")
            }
            guard bytes > 0 else { throw ValidationError("size must be greater than 0") }
        }
        if let chunk, ByteSize.parse(chunk) == nil {
            throw ValidationError("invalid chunk size '\(chunk)' (expected bytes with an optional k, m, g or t suffix)")
        }
        if nstrips == nil || nbuckets == nil, nstrips != nil || nbuckets != nil || chunk != nil {
            let given = [nstrips.map { "-N \($0.value)" }, nbuckets.map { "-B \($0.value)" }, chunk.map { "-C \($0)" }].compactMap { $0 }
            let missing = [nstrips == nil ? "-N nstrips (1-16)" : nil, nbuckets == nil ? "-B nbuckets (1-64)" : nil].compactMap { $0 }
            throw ValidationError("\(given.joined(separator: " ")) given without \(missing.joined(separator: " and ")): "
                + "interleaving needs both -N and -B, which have no default (only -C has one, 2m)")
        }
        _ = try validatedPaths(paths)
    }

    func run() throws { try run(kernel: nil) }

    /// The command on `kernel` (nil: the one the sysfs root names).
    func run(kernel: DaxKernel?) throws {
        var requests = try validatedPaths(paths).map { Manifest.Line(path: $0, size: ByteSize.parse(size ?? "") ?? 0) }
        if let manifest { requests += try Self.readManifest(manifest).lines }
        let layout = self.layout
        let umask = noUmask ? 0 : FamfsAppendSession.umask
        let defaults = ownerOptions.owner(mode: mode.bits)
        var random: any RandomNumberGenerator = seed.map { SeededGenerator(seed: $0) } ?? SystemRandomNumberGenerator()
        try environment.daxMode("creat", target: target, daxMode, kernel: kernel).run { devices in
            let planner = try FamfsAppendSession.run(target: target, environment: environment, devices: devices) { planner in
                for request in requests {
                    let owner = EntryPlanner.Owner(
                        mode: (request.mode ?? defaults.mode) & ~umask, uid: request.uid ?? defaults.uid, gid: request.gid ?? defaults.gid)
                    try planner.creat(request.path, size: request.size, owner: owner, layout: layout, random: &random)
                }
            }
            if requests.count > 1 {
                Console.out("Create complete for \(planner.bodies.count) of \(requests.count) files with 0 errs\n")
            }
        }
    }

    /// Interleaved when -N and -B are given (`validate` refuses one of -N, -B, -C alone).
    private var layout: Allocator.Layout {
        guard let nstrips, let nbuckets else { return .contiguous }
        return .interleaved(InterleaveParameters(
            nbuckets: nbuckets.value, nstrips: nstrips.value, chunkSize: chunk.flatMap(ByteSize.parse) ?? InterleaveParameters.defaultChunkSize))
    }

    /// `--manifest -`: standard input.
    static let standardInputName = "-"

    /// Reads the manifest with plain open(2) and read(2): any file the caller can read,
    /// pipes, FIFOs and `/dev/fd/N` links included (Foundation's file reading refuses what is
    /// not a regular file); `-` is standard input.
    private static func readManifest(_ path: String) throws -> Manifest {
        let name = path == standardInputName ? "standard input" : path
        let failure = { (reason: String) in
            CommandError.famfs(.io, "\(name): cannot read the manifest: \(reason)")
        }
        // Unbounded: the caller's own file, as long as the files it lists.
        let read = path == standardInputName ? Syscall.readAll(STDIN_FILENO, limit: .max) : Syscall.readFile(path, limit: .max)
        let bytes: [UInt8]
        switch read {
        case .success(let content): bytes = content
        case .failure(let code): throw failure(code.description)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure("not UTF-8 text") }
        return try Manifest.parse(text, name: name)
    }
}
