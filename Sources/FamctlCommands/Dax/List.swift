// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import FoundationEssentials
import Glibc

/// `famctl list`: daxctl's `list`, same options and JSON.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dax regions and devices as JSON.",
        discussion: """
            Without -D or -R: regions are shown if -r is given, devices if -d is given, and \
            devices if neither. Prints nothing (exit 0) when nothing matches, as daxctl does; a \
            root that is not a sysfs tree (neither bus/dax nor devices/system/memory) is exit \(ExitCodes.dax(errno: ENOENT)). \
            Devices bound to fsdev_dax show "mode":"famfs"; unbound devices "state":"disabled".
            """
    )

    @OptionGroup var global: DaxGlobalOptions

    @Option(name: [.customShort("r", allowingJoined: true), .customLong("region")], help: ArgumentHelp("Filter by region: N, regionN or all.", valueName: "region-id"),
            completion: .custom(Completions.regions))
    var region: String?

    @Option(name: [.customShort("d", allowingJoined: true), .customLong("dev")], help: ArgumentHelp("Filter by device: daxX.Y, X.Y or all.", valueName: "dev"),
            completion: .custom(Completions.daxDevices))
    var device: String?

    @Flag(name: [.customShort("D"), .customLong("devices")], help: "Include devices.")
    var devices = false

    @Flag(name: [.customShort("R"), .customLong("regions")], help: "Include regions.")
    var regions = false

    @Flag(name: [.customShort("M"), .customLong("mappings")], help: "Include each device's physical mappings.")
    var mappings = false

    @Flag(name: [.customShort("i"), .customLong("idle")], help: "Include idle (size 0) devices.")
    var idle = false

    @Flag(name: [.customShort("u"), .customLong("human")], help: "Human-readable sizes and hexadecimal addresses.")
    var human = false

    var values: Values {
        Values(global: global.values, region: region, device: device, devices: devices, regions: regions, mappings: mappings, idle: idle, human: human)
    }
}

extension List: QuickCommand {
    /// `list`'s options, without argument-parser's property wrappers (see `QuickValues`).
    struct Values: QuickValues {
        typealias Command = List
        var global: DaxGlobalOptions.Values
        var region: String?
        var device: String?
        var devices: Bool
        var regions: Bool
        var mappings: Bool
        var idle: Bool
        var human: Bool

        func run() throws {
            let deviceName = try device.flatMap(DaxNames.device)
            let regionID = try region.flatMap(DaxNames.region)
            let (sysfs, useLibdaxctl) = try global.resolve(autoLibdaxctl: false)
            let showRegions = regions || (!devices && region != nil)
            let showDevices = devices || (!regions && (device != nil || region == nil))
            let found: [DaxRegion]
            let context = useLibdaxctl ? try? LibDaxctlContext() : nil
            if useLibdaxctl && context == nil {
                throw CommandError.dax(errno: ENXIO, "cannot create a libdaxctl context; try --backend sysfs")
            }
            if let context {
                found = context.regions(sysfs: sysfs, readMappings: mappings)
            } else {
                let discovery = DaxDiscovery(sysfs: sysfs, readMappings: mappings)
                // Regions are listed whatever the device filter, so their devices must be found.
                found = discovery.regions { name in showRegions || deviceName == nil || name == deviceName }
            }
            let format = DaxJSON.Format(human: human, mappings: mappings)
            var elements: [JSON] = []
            for candidate in found where regionID == nil || candidate.id == regionID {
                let matching = candidate.devices.filter { (deviceName == nil || $0.name == deviceName) && (idle || $0.size > 0) }
                if showRegions {
                    elements.append(DaxJSON.region(candidate, devices: showDevices ? matching : nil, format))
                } else if showDevices {
                    elements += matching.map { DaxJSON.device($0, format) }
                }
            }
            if let document = DaxJSON.document(elements, human: human) { Console.out(document + "\n") }
        }
    }
}

extension List.Values {
    static let quickOptions: [QuickArguments.Option] = DaxGlobalOptions.quickOptions + [
        .value("r", "region", joined: true), .value("d", "dev", joined: true), .flag("D", "devices"), .flag("R", "regions"),
        .flag("M", "mappings"), .flag("i", "idle"), .flag("u", "human"),
    ]
    static let quickPositionals = false

    init?(quick arguments: QuickArguments) {
        guard let global = DaxGlobalOptions.quick(arguments) else { return nil }
        self.init(global: global, region: arguments.value("region"), device: arguments.value("dev"), devices: arguments.flag("devices"),
                  regions: arguments.flag("regions"), mappings: arguments.flag("mappings"), idle: arguments.flag("idle"),
                  human: arguments.flag("human"))
    }
}
