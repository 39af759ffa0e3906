// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import FoundationEssentials
import Glibc

/// `famctl create-device`: daxctl's `create-device` on dynamic (hmem, CXL) regions.
struct CreateDevice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-device",
        abstract: "Create a dax device in a dynamic region.",
        discussion: """
            Creates one device per matching region (default: all) and enables it in devdax mode. \
            The size defaults to the region's available size (none: \(ExitCodes.cite(ENOSPC))). --input takes \
            a device object as printed by 'famctl list -M' and recreates its mappings. Static \
            regions (NVDIMM) are refused (\(ExitCodes.cite(EOPNOTSUPP))).
            """
    )

    @OptionGroup var global: DaxGlobalOptions

    @Option(name: [.customShort("s", allowingJoined: true), .customLong("size")], help: ArgumentHelp("Size: bytes, 0x…, or with k/m/g/t (powers of 1024).", valueName: "size"),
            transform: DaxSize.parser("size"))
    var size: DaxSize?

    @Option(name: [.customShort("a", allowingJoined: true), .customLong("align")], help: ArgumentHelp("Alignment: 4k, 2m or 1g.", valueName: "align"),
            transform: DaxSize.parser("align"))
    var align: DaxSize?

    @Option(name: .customLong("input"), help: ArgumentHelp("A JSON file with one device object (chardev, mappings).", valueName: "file"),
            completion: .file(extensions: ["json"]))
    var input: String?

    @OptionGroup var options: DaxRunOptions

    func run() throws {
        var regionFilter = try options.region.flatMap(DaxNames.region)
        var mappings: [DaxMapping] = []
        if let input {
            let (regionID, ranges) = try Self.readInput(input)
            regionFilter = regionFilter ?? regionID
            mappings = ranges
        }
        let runner = DaxDeviceRun(options: global.values, run: options.values, summary: DaxSummary(done: "created", planned: "would create", failure: "creating devices"),
                                  printsJSON: true, busyRetries: 0)
        let (controller, root) = try runner.controller()
        let regions = controller.discovery.regions().filter { regionFilter == nil || $0.id == regionFilter }
        var outcome = DaxDeviceRun.Outcome()
        // As daxctl: no region is the failure's errno and summary alone, without a line of its own.
        if regions.isEmpty { outcome.failure = .noMatch(argument: options.region.map { "region \($0)" } ?? "any region") }
        for target in regions {
            runner.perform("region\(target.id)", controller: controller, root: root, &outcome) { () throws(DaxError) in
                try controller.createDevice(in: target, size: size?.bytes, align: align?.bytes, mappings: mappings)
            }
        }
        try runner.finish(outcome, controller: controller, root: root)
    }

    /// The region and mappings of a `list -M` device object.
    static func readInput(_ path: String) throws -> (Int, [DaxMapping]) {
        let bad = { (why: String) in ValidationError(DaxError.invalidValue(what: "--input", value: path, expected: why).description) }
        guard let data = FileManager.default.contents(atPath: path),
            case .object(let object)? = try? JSONDecoder().decode(InputValue.self, from: data)
        else { throw bad("a readable JSON object") }
        guard case .string(let chardev)? = object["chardev"], let numbers = DaxDevice.parseName(chardev) else {
            throw bad("a \"chardev\":\"daxX.Y\" key")
        }
        guard case .array(let entries)? = object["mappings"], !entries.isEmpty else { throw bad("a non-empty \"mappings\" array (list -M)") }
        let ranges = try entries.map { entry -> DaxMapping in
            guard case .object(let fields) = entry, let start = fields["start"]?.number, let end = fields["end"]?.number, end > start else {
                throw bad("mappings with numeric \"start\" and \"end\"")
            }
            return DaxMapping(start: start, end: end, pageOffset: fields["page_offset"]?.number ?? 0)
        }
        return (numbers.region, ranges)
    }
}

/// A JSON value of a `--input` file, as far as `readInput` looks: numbers are unsigned
/// integers (plain, or `"0x…"` strings with `-u`); anything else it does not use is `.other`.
private enum InputValue: Decodable {
    case unsigned(UInt64)
    case string(String)
    case array([InputValue])
    case object([String: InputValue])
    case other

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let number = try? value.decode(UInt64.self) {
            self = .unsigned(number)
        } else if let text = try? value.decode(String.self) {
            self = .string(text)
        } else if let object = try? value.decode([String: InputValue].self) {
            self = .object(object)
        } else if let array = try? value.decode([InputValue].self) {
            self = .array(array)
        } else {
            self = .other
        }
    }

    var number: UInt64? {
        switch self {
        case .unsigned(let number): return number
        case .string(let text): return text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        default: return nil
        }
    }
}
