// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FamfsKit

struct FamfsMkfs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkfs",
        abstract: "Format a dax device, pmem block device or image file as famfs.",
        discussion: """
            Writes the superblock and an empty log exactly as upstream mkfs.famfs does, and \
            nothing past the log (a sparse image stays sparse). Dax devices are mapped in \
            ranges of their alignment; block devices and images through the page cache. The old superblock region is \
            cleared first, the log is written and flushed, the new superblock comes last. \
            Refuses, writing nothing: an existing famfs superblock (even with a bad CRC) \
            without --force, another file system, partition table or RAID member that libblkid \
            finds (named; --force overwrites it too), a device smaller than 4 GiB or larger than 8 PiB, a log that does not fit, a dax device \
            not in devdax mode (famfs mode: see -M), a mounted device, a missing, directory or unwritable target. \
            With --size, the size is checked before the image is created, and an image this \
            command created is removed again when mkfs refuses or fails. Prints a summary and fsck's report of the new file system.

            \(ExitCodes.help(.famfsWriter))
            """
    )

    @Flag(name: .shortAndLong, help: "Overwrite an existing famfs superblock (any version or owner).")
    var force = false

    @Flag(name: .shortAndLong, help: "With --force: invalidate the superblock's magic only.")
    var kill = false

    @Option(name: [.customShort("l"), .customLong("loglen")],
            help: "Log length: a power of two, at least 8m (k/m/g suffixes).")
    var logLength: SizeArgument?

    @Option(name: .customLong("format-version"), help: "Superblock version: 48 (OMF 2.2) or 47 (OMF 2.1).",
            completion: .list(Famfs.supportedVersions.map(String.init)))
    var formatVersion: UInt64 = Famfs.currentVersion

    @Option(name: .customLong("uuid"), help: "File system UUID (default: random).")
    var fsUUID: FamfsUUID?

    @Option(name: .customLong("device-uuid"), help: "Device UUID (default: random).")
    var deviceUUID: FamfsUUID?

    @Option(name: .customLong("device-name"), help: "Name recorded in the superblock (default: the target as given).")
    var deviceName: String?

    @Option(help: "Create the image file with this size (sparse), or grow an empty one.")
    var size: SizeArgument?

    @Flag(name: .customLong("dry-run"), help: "Check and print what would be written; write nothing.")
    var dryRun = false

    @Flag(help: "Print the outcome as one JSON object.")
    var json = false

    @OptionGroup var environment: FamfsEnvironmentOptions

    @OptionGroup var daxMode: FamfsDaxModeOptions

    @Argument(help: "Char dax device (/dev/daxX.Y), pmem block device (/dev/pmemN) or image file.", completion: .file())
    var target: String

    func validate() throws {
        if kill && !force {
            throw ValidationError("--kill requires --force (it invalidates the existing superblock)")
        }
        if let logLength, !Famfs.isValidLogLength(logLength.bytes) {
            throw ValidationError("invalid -l/--loglen \(logLength.bytes) (expected a power of two, at least 8m)")
        }
        if !Famfs.supportedVersions.contains(formatVersion) {
            throw ValidationError("--format-version \(formatVersion) is not supported (expected 47 or 48)")
        }
        if let deviceName, deviceName.utf8.count >= Superblock.deviceNameFieldSize || deviceName.isEmpty {
            throw ValidationError("--device-name must be 1 to 63 bytes")
        }
    }

    func run() throws { try run(kernel: nil) }

    /// The command on `kernel` (nil: the one the sysfs root names).
    func run(kernel: DaxKernel?) throws {
        try environment.daxMode("mkfs", target: target, daxMode, kernel: kernel).run(dryRun: dryRun, format)
    }

    private func format(_ devices: any DeviceOpening) throws {
        let systemUUID: FamfsUUID
        if dryRun {
            // A dry run creates nothing, not even this host's identity.
            systemUUID = SystemUUID.read(environment.systemUUIDFile) ?? .random()
        } else {
            do { systemUUID = try SystemUUID.readOrCreate(environment.systemUUIDFile) } catch {
                throw fail(error.description, error)
            }
        }
        var request = MkfsRequest(target: target, systemUUID: systemUUID)
        request.force = force
        request.kill = kill
        request.dryRun = dryRun
        request.logLength = logLength?.bytes ?? Famfs.defaultLogLength
        request.formatVersion = formatVersion
        request.fsUUID = fsUUID
        request.deviceUUID = deviceUUID
        request.deviceName = deviceName
        request.imageSize = size?.bytes
        let mkfs = Mkfs(devices: devices,
                        mountTable: MountTable(path: environment.mountTable))
        let outcome: MkfsOutcome
        do { outcome = try mkfs.run(request) } catch {
            if case .device(.notFound) = error, size == nil {
                throw fail(error.description + " (to create an image file, give its size: --size 8g)", error)
            }
            throw fail(error.description, error)
        }
        Console.out(json ? Self.json(outcome, dryRun: dryRun) : Self.text(outcome, dryRun: dryRun))
    }

    /// Prints `message` about `error` (and its JSON) and returns what to throw.
    private func fail(_ message: String, _ error: any FamfsClassified) -> CommandError {
        let status = ExitCodes.code(for: error, command: Self.self)
        FamfsOutput.error("mkfs", message)
        if json {
            let object: [(String, JSON)] = [
                ("target", .string(target)), ("exit_status", .number(UInt64(status))), ("error", .string(message)),
            ]
            Console.out(JSON.object(object).rendered(indent: 0) + "\n")
        }
        return .famfsReported(error)
    }

    static func text(_ outcome: MkfsOutcome, dryRun: Bool) -> String {
        let would = dryRun ? "dry run, nothing written: would " : ""
        switch outcome {
        case .killed(let plan):
            let old = plan.previous.map { " (fs UUID \($0.fsUUID))" } ?? ""
            return dryRun ? "\(would)kill the famfs superblock of \(plan.target)\(old)\n" : "Famfs superblock killed\n"
        case .formatted(let plan, let report):
            let sb = plan.superblock
            let kind: String
            switch plan.deviceKind {
            case .imageFile: kind = plan.createdImage ? "image file, created sparse" : "image file"
            case .charDax(let name): kind = "dax device \(name)"
            case .blockDevice(let name): kind = "block device \(name)"
            }
            var out = "\(dryRun ? would + "format" : "Formatted") \(plan.target) as famfs\n"
            if let old = plan.previous { out += "  replaced:    fs UUID \(old.fsUUID), owner \(old.systemUUID)\n" }
            for signature in plan.replacedSignatures { out += "  replaced:    \(signature)\n" }
            out += """
                  device:      \(plan.target) (\(kind))
                  devsize:     \(plan.deviceSize)
                  log:         \(sb.logLength) bytes at 0x\(String(sb.logOffset, radix: 16)), \(plan.header.slotCount) entries
                  version:     \(sb.version) (OMF \(sb.omfMajor).\(sb.omfMinor))
                  fs UUID:     \(sb.fsUUID)
                  device UUID: \(sb.deviceUUID)
                  system UUID: \(sb.systemUUID) (owner: this host)
                  device name: \(sb.deviceNameString)


                """
            return out + report.text(human: true)
        }
    }

    static func json(_ outcome: MkfsOutcome, dryRun: Bool) -> String {
        var object: [(String, JSON)]
        switch outcome {
        case .killed(let plan):
            object = [("target", .string(plan.target)), ("dry_run", .bool(dryRun)), ("killed", .bool(true)),
                      ("previous_fs_uuid", plan.previous.map { .string($0.fsUUID.description) } ?? .null)]
        case .formatted(let plan, let report):
            let sb = plan.superblock
            object = [
                ("target", .string(plan.target)),
                ("dry_run", .bool(dryRun)),
                ("killed", .bool(false)),
                ("created_image", .bool(plan.createdImage)),
                ("device_size", .number(plan.deviceSize)),
                ("log_len", .number(sb.logLength)),
                ("slots", .number(plan.header.slotCount)),
                ("version", .number(sb.version)),
                ("fs_uuid", .string(sb.fsUUID.description)),
                ("device_uuid", .string(sb.deviceUUID.description)),
                ("system_uuid", .string(sb.systemUUID.description)),
                ("device_name", .string(sb.deviceNameString)),
                ("previous_fs_uuid", plan.previous.map { .string($0.fsUUID.description) } ?? .null),
                ("replaced_signatures", .array(plan.replacedSignatures.map(\.jsonValue))),
                ("fsck", report.jsonValue(target: plan.target, exitStatus: ExitCodes.success)),
            ]
        }
        return JSON.object(object).rendered(indent: 0) + "\n"
    }
}
