// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DaxKit
import Glibc

/// `famctl reconfigure-device`: daxctl's mode switch, for several devices, idempotent, with
/// `--dry-run` and rollback.
struct ReconfigureDevice: DaxDeviceCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconfigure-device",
        abstract: "Switch dax devices among devdax, system-ram and famfs modes.",
        discussion: """
            Modes: devdax (driver device_dax), system-ram (kmem; memory onlined movable unless \
            --no-movable or --no-online), famfs (fsdev_dax). A device already in the mode is \
            success. system-ram is refused while auto_online_blocks is online* (unless --force); \
            leaving system-ram is refused while memory is online (--force offlines it first). \
            A failed switch is rolled back and the error names the sysfs file and errno. \
            A device that a process holds open or mapped (/proc/*/fd, /proc/*/maps) or that \
            is mounted is refused before any write, dry runs too, whatever the backend and \
            -f: the kernel would unbind it and corrupt itself; each holder is named. \
            Exit status: \(ExitCodes.success), or 256 - errno of the last failure (\(ExitCodes.dax(errno: EBUSY)) EBUSY, \
            \(ExitCodes.dax(errno: ENXIO)) ENXIO, \(ExitCodes.dax(errno: EINVAL)) EINVAL, \(ExitCodes.dax(errno: ENODEV)) ENODEV: \
            no such driver, \(ExitCodes.dax(errno: EOPNOTSUPP)) EOPNOTSUPP, \(ExitCodes.dax(errno: EACCES)) EACCES); \
            \(ExitCodes.usage) for usage errors.
            """
    )

    @OptionGroup var global: DaxGlobalOptions

    @Option(name: [.customShort("m", allowingJoined: true), .customLong("mode")], help: ArgumentHelp("devdax, system-ram or famfs.", valueName: "mode"),
            completion: .list(Completions.modes), transform: DaxMode.parse)
    var mode: DaxMode?

    @Flag(name: [.customShort("N"), .customLong("no-online")], help: "system-ram: hot-plug the memory but do not online it.")
    var noOnline = false

    @Flag(exclusivity: .chooseLast)
    var zone: MemoryZone?

    @Flag(name: [.customShort("C"), .customLong("check-config")],
          help: "Take mode, online and movable from the [reconfigure-device] section of /etc/daxctl.conf.d/*.conf whose nvdimm.uuid is the device's namespace (as ndctl list shows it); no section: nothing changed.")
    var checkConfig = false

    @Option(name: .customLong("config-dir"), help: ArgumentHelp("The directory that stands for /etc/daxctl.conf.d (default: $FAMCTL_DAXCTL_CONFIG_DIR).", visibility: .hidden))
    var configDirectory: String?

    @Flag(name: [.customShort("f"), .customLong("force")], help: "Offline online memory before leaving system-ram; ignore the auto-online policy.")
    var force = false

    @Option(name: [.customShort("s", allowingJoined: true), .customLong("size")],
            help: ArgumentHelp("Resize a disabled device of a dynamic region (takes precedence over -m; no JSON).", valueName: "size"),
            transform: DaxSize.parser("size"))
    var size: DaxSize?

    @Option(name: [.customShort("a", allowingJoined: true), .customLong("align")],
            help: ArgumentHelp("Set the alignment of a disabled device (4k, 2m, 1g; takes precedence over -m).", valueName: "align"),
            transform: DaxSize.parser("align"))
    var align: DaxSize?

    @OptionGroup var common: DaxDeviceArguments

    @OptionGroup var retry: DaxRetryOptions

    var values: Values {
        Values(invocation: DaxDeviceInvocation(global, common, retry), mode: mode, noOnline: noOnline, zone: zone, checkConfig: checkConfig,
               configDirectory: configDirectory, force: force, size: size, align: align)
    }
}

extension ReconfigureDevice {
    /// The command's options, without argument-parser's property wrappers (see `QuickValues`).
    struct Values: DaxDeviceValues {
        typealias Command = ReconfigureDevice
        var invocation: DaxDeviceInvocation
        var mode: DaxMode?
        var noOnline: Bool
        var zone: MemoryZone?
        var checkConfig: Bool
        var configDirectory: String?
        var force: Bool
        var size: DaxSize?
        var align: DaxSize?

        /// The option, else `FAMCTL_DAXCTL_CONFIG_DIR`, else `/etc/daxctl.conf.d`.
        var configDirectoryPath: String {
            if let configDirectory { return configDirectory }
            if let environment = Environment.value("FAMCTL_DAXCTL_CONFIG_DIR"), !environment.isEmpty { return environment }
            return DaxConfig.defaultDirectory
        }

        static let summary = DaxSummary(done: "reconfigured", planned: "would reconfigure", failure: "reconfiguring devices")
        static let verb = "reconfigure"
        /// -s and -a resize (daxctl prints no JSON then); -m switches modes.
        var resizes: Bool { size != nil || align != nil }
        var printsJSON: Bool { !resizes }

        func validate() throws {
            if checkConfig {
                if mode != nil || noOnline || zone != nil {
                    throw ValidationError("--check-config is incompatible with --mode, --no-online and --(no-)movable: the configuration sets them")
                }
                if resizes { throw ValidationError("--check-config is incompatible with --size and --align") }
            } else if !resizes {
                guard let mode else { throw ValidationError("a 'align', 'mode' or 'size' option is required") }
                if noOnline && mode != .systemRAM { throw ValidationError("--no-online is incompatible with --mode=\(mode.rawValue)") }
            }
            if invocation.common.devices.isEmpty { throw ValidationError("specify a device to \(Self.verb), or \"all\"") }
        }

        func operation() -> DaxOperation {
            if resizes { return { (controller, device) throws(DaxError) in try controller.resize(device, size: size?.bytes, align: align?.bytes) } }
            if checkConfig {
                // Read once per run, when the first device needs it; a broken file fails every
                // device, as daxctl reports it, without being read again.
                var loaded: Result<[DaxConfigSection], DaxConfigError>?
                return { (controller, device) throws(DaxError) in
                    let sections = loaded ?? Result { () throws(DaxConfigError) in try DaxConfig.load(directory: configDirectoryPath) }
                    loaded = sections
                    switch sections {
                    case .success(let sections): return try configure(controller, device, sections: sections)
                    case .failure(let error): throw .config(error)
                    }
                }
            }
            guard let mode else { preconditionFailure("validate() requires --mode without --check-config, --size or --align") }
            let options = ReconfigureOptions(mode: mode, online: !noOnline, movable: zone != .noMovable, force: force)
            return { (controller, device) throws(DaxError) in try controller.reconfigure(device, options) }
        }

        /// -C on one device: the section whose nvdimm.uuid is the device's namespace, or nothing.
        private func configure(_ controller: DaxController, _ device: DaxDevice, sections: [DaxConfigSection]) throws(DaxError) -> DeviceReport {
            let directory = configDirectoryPath
            guard let section = DaxConfig.section(for: device, sysfs: controller.sysfs, in: sections) else {
                let uuid = DaxConfig.namespaceUUID(of: device, sysfs: controller.sysfs).map { "nvdimm.uuid \($0)" } ?? "no nvdimm namespace"
                return DeviceReport(device: device, notes: ["\(device.name): no section of \(directory)/*.conf matches (\(uuid)), nothing changed"],
                                    changed: false, skipped: true)
            }
            var options = section.options
            options.force = force
            var report = try controller.reconfigure(device, options)
            if invocation.common.run.verbose {
                let settings = "mode=\(options.mode.rawValue) online=\(options.online) movable=\(options.movable)"
                report.notes.insert("famctl: \(device.name): section '\(section.name)' of \(section.file): \(settings)", at: 0)
            }
            return report
        }
    }
}

extension ReconfigureDevice.Values {
    static let quickOptions = deviceQuickOptions + MemoryZone.quickOptions + DaxRetryOptions.quickOptions + [
        .value("m", "mode", joined: true), .flag("N", "no-online"), .flag("C", "check-config"), .value(nil, "config-dir"),
        .flag("f", "force"), .value("s", "size", joined: true), .value("a", "align", joined: true),
    ]

    init?(quick arguments: QuickArguments) {
        guard let invocation = DaxDeviceInvocation(quick: arguments) else { return nil }
        do {
            self.init(invocation: invocation, mode: try arguments.value("mode").map(DaxMode.parse), noOnline: arguments.flag("no-online"),
                      zone: MemoryZone.quick(arguments), checkConfig: arguments.flag("check-config"),
                      configDirectory: arguments.value("config-dir"), force: arguments.flag("force"),
                      size: try arguments.value("size").map(DaxSize.parser("size")),
                      align: try arguments.value("align").map(DaxSize.parser("align")))
        } catch {
            return nil
        }
    }
}
