import ArgumentParser
import DaxKit

/// `famctl reconfigure-device`: daxctl's mode switch, for several devices, idempotent, with
/// `--dry-run` and rollback.
struct ReconfigureDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconfigure-device",
        abstract: "Switch dax devices among devdax, system-ram and famfs modes.",
        discussion: """
            Modes: devdax (driver device_dax), system-ram (kmem; memory onlined movable unless \
            --no-movable or --no-online), famfs (fsdev_dax). A device already in the mode is \
            success. system-ram is refused while auto_online_blocks is online* (unless --force); \
            leaving system-ram is refused while memory is online (--force offlines it first). \
            A failed switch is rolled back and the error names the sysfs file and errno. \
            Exit status: 0, or 256 - errno of the last failure (240 EBUSY, 250 ENXIO, 234 EINVAL, \
            237 ENODEV: no such driver, 161 EOPNOTSUPP, 243 EACCES); 64 for usage errors.
            """
    )

    @OptionGroup var global: DaxGlobalOptions

    @Option(name: [.customShort("m"), .customLong("mode")], help: ArgumentHelp("devdax, system-ram or famfs.", valueName: "mode"),
            completion: .list(Completions.modes))
    var mode: String?

    @Flag(name: [.customShort("N"), .customLong("no-online")], help: "system-ram: hot-plug the memory but do not online it.")
    var noOnline = false

    @Flag(inversion: .prefixedNo, help: "Online memory as movable (default); --no-movable lets the kernel pick the zone.")
    var movable = true

    @Flag(name: [.customShort("f"), .customLong("force")], help: "Offline online memory before leaving system-ram; ignore the auto-online policy.")
    var force = false

    @OptionGroup var common: DaxDeviceArguments

    func validate() throws {
        guard let mode else { throw ValidationError("a 'mode' option is required (-m devdax|system-ram|famfs)") }
        guard let parsed = DaxMode(rawValue: mode) else {
            throw ValidationError("unknown mode '\(mode)': expected one of \(Completions.modes.joined(separator: ", "))")
        }
        if noOnline && parsed != .systemRAM { throw ValidationError("--no-online is incompatible with --mode=\(mode)") }
        try common.requireDevices(verb: "reconfigure")
    }

    func run() async throws {
        let options = ReconfigureOptions(mode: DaxMode(rawValue: mode ?? "")!, online: !noOnline, movable: movable, force: force)
        let run = common.runner(global, summary: "reconfigured", error: "reconfiguring devices", json: true)
        try run.run(devices: common.devices, region: common.region) { (controller, device) throws(DaxError) in
            try controller.reconfigure(device, options)
        }
    }
}
