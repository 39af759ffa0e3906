// SPDX-License-Identifier: Apache-2.0
import CDaxctl

#if canImport(Glibc)
import Glibc
#endif

/// libdaxctl's functions, loaded on first use: famctl does not link libdaxctl, whose own
/// libraries would otherwise be loaded and bound at every start (Sources/CDaxctl/shim.h).
enum LibDaxctl {
    /// Written once, by the initializer of this lazily initialized global, and only read after.
    nonisolated(unsafe) private static let loaded: Result<UnsafePointer<cdaxctl_api>, LibDaxctlError> = {
        let api = UnsafeMutablePointer<cdaxctl_api>.allocate(capacity: 1)
        guard cdaxctl_load(api) == 0 else {
            api.deallocate()
            return .failure(.libraryUnavailable(reason: dlerror().map { String(cString: $0) } ?? "dlopen failed"))
        }
        return .success(UnsafePointer(api))
    }()

    /// The functions; throws when libdaxctl.so.1 (or a function famctl calls) is missing.
    static func api() throws(LibDaxctlError) -> cdaxctl_api { try loaded.get().pointee }
}

/// A libdaxctl library context. libdaxctl reads `/sys` only; the sysfs backend serves
/// other roots.
public final class LibDaxctlContext {
    let handle: OpaquePointer
    let api: cdaxctl_api

    /// Creates a context; the corresponding C function is `daxctl_new`.
    public init() throws(LibDaxctlError) {
        api = try LibDaxctl.api()
        var context: OpaquePointer?
        let rc = api.daxctl_new(&context)
        guard rc == 0, let context else { throw .contextCreationFailed(errno: -rc) }
        handle = context
    }

    deinit { api.daxctl_unref(handle) }

    /// Regions and devices as libdaxctl enumerates them, in DaxKit's model (sorted like the
    /// sysfs backend). libdaxctl 76 has no mode getter, and its memory-block counts come from
    /// the same sysfs files: the `driver` link and the blocks are read through `sysfs`
    /// (which is `/sys`, the only root libdaxctl knows).
    public func regions(sysfs: Sysfs, readMappings: Bool) -> [DaxRegion] {
        let discovery = DaxDiscovery(sysfs: sysfs)
        var regions: [DaxRegion] = []
        var region = api.daxctl_region_get_first(handle)
        while let current = region {
            defer { region = api.daxctl_region_get_next(current) }
            let path = Self.relative(api.daxctl_region_get_path(current).map { String(cString: $0) } ?? "")
            let size = api.daxctl_region_get_size(current)
            let align = api.daxctl_region_get_align(current)
            let available = api.daxctl_region_get_available_size(current)
            var devices: [DaxDevice] = []
            var dev = api.daxctl_dev_get_first(current)
            while let device = dev {
                defer { dev = api.daxctl_dev_get_next(device) }
                guard let name = api.daxctl_dev_get_devname(device).map({ String(cString: $0) }),
                    let numbers = DaxDevice.parseName(name)
                else { continue }
                let devicePath = "\(path)/\(name)"
                let node = api.daxctl_dev_get_target_node(device)
                let resource = api.daxctl_dev_get_resource(device)
                var model = DaxDevice(
                    name: name, regionID: numbers.region, instance: numbers.instance, path: devicePath,
                    size: api.daxctl_dev_get_size(device),
                    align: api.daxctl_dev_get_align(device) > 0 ? UInt64(api.daxctl_dev_get_align(device)) : nil,
                    targetNode: node >= 0 ? Int(node) : nil,
                    resource: resource > 0 && resource != UInt64.max ? resource : nil,
                    state: DeviceState(driver: sysfs.readLink("\(devicePath)/driver").map(SysfsPath.basename)))
                if model.state == .bound(.systemRAM) { model.memory = discovery.memory(of: model) }
                if readMappings { model.mappings = mappings(of: device) }
                devices.append(model)
            }
            regions.append(DaxRegion(
                id: Int(api.daxctl_region_get_id(current)), path: path,
                size: size == UInt64.max ? nil : size,
                availableSize: available > 0 ? available : nil,
                align: UInt(align) == UInt.max ? nil : UInt64(align),
                devices: devices.sorted { $0.instance < $1.instance }))
        }
        return regions.sorted { ($0.id, $0.path) < ($1.id, $1.path) }
    }

    private func mappings(of device: OpaquePointer) -> [DaxMapping] {
        var result: [DaxMapping] = []
        var mapping = api.daxctl_mapping_get_first(device)
        while let current = mapping {
            result.append(DaxMapping(start: api.daxctl_mapping_get_start(current), end: api.daxctl_mapping_get_end(current),
                                     pageOffset: api.daxctl_mapping_get_offset(current)))
            mapping = api.daxctl_mapping_get_next(current)
        }
        // The sysfs backend lists mapping0, mapping1, …, whose page offsets grow in that order.
        return result.sorted { $0.pageOffset < $1.pageOffset }
    }

    /// `/sys/devices/...` → `devices/...`.
    private static func relative(_ path: String) -> String {
        path.hasPrefix("/sys/") ? String(path.dropFirst(5)) : path
    }

    /// The libdaxctl device named `name`, or nil.
    func device(named name: String) -> OpaquePointer? {
        var region = api.daxctl_region_get_first(handle)
        while let current = region {
            var dev = api.daxctl_dev_get_first(current)
            while let device = dev {
                if let devname = api.daxctl_dev_get_devname(device), String(cString: devname) == name { return device }
                dev = api.daxctl_dev_get_next(device)
            }
            region = api.daxctl_region_get_next(current)
        }
        return nil
    }
}

/// Binds and unbinds through libdaxctl (`daxctl_dev_disable`, `daxctl_dev_enable_devdax`,
/// `daxctl_dev_enable_ram`, and `daxctl_dev_enable_famfs` when the installed libdaxctl exports
/// it — looked up with `dlsym`). Without it, famfs uses the sysfs sequence.
///
/// The steps share one libdaxctl context (making one enumerates the dax bus again), but for
/// one case. libdaxctl (76 and 85 alike) keeps the libkmod module that `daxctl_dev_enable_*`
/// loaded in the device object; `daxctl_dev_disable` drops that reference but leaves the
/// pointer, and releasing the context drops it once more. So an enable followed by a disable
/// of one device in one context frees the module twice, and the next libkmod call (at the
/// latest the context's release) works on freed memory: famctl's system-ram → famfs, which
/// passes through devdax, crashed there (SIGSEGV inside libkmod after the switch, before the
/// JSON). daxctl itself never disables a device it enabled in the same run. So a disable of a
/// device enabled in the current context gets a fresh context (`ContextPlan`): it has no
/// reference to drop.
public final class LibDaxctlBinding: DriverBinding {
    private let writer: SysfsWriter
    private let fallback: SysfsDriverBinding
    private let newContext: () throws(LibDaxctlError) -> LibDaxctlContext
    private var context: LibDaxctlContext?
    private var plan = ContextPlan()

    /// Which devices an enable ran for in the current context: a disable of one of them
    /// needs a new context.
    struct ContextPlan {
        private(set) var enabled: [String] = []

        func needsNewContext(disabling device: String) -> Bool { enabled.contains(device) }

        mutating func recordEnable(of device: String) {
            if !enabled.contains(device) { enabled.append(device) }
        }

        mutating func newContext() { enabled = [] }
    }

    public convenience init(writer: SysfsWriter) {
        self.init(writer: writer) { () throws(LibDaxctlError) in try LibDaxctlContext() }
    }

    /// `newContext` makes the context of each step (tests count them).
    init(writer: SysfsWriter, newContext: @escaping () throws(LibDaxctlError) -> LibDaxctlContext) {
        self.writer = writer
        self.fallback = SysfsDriverBinding(writer: writer)
        self.newContext = newContext
    }

    private typealias EnableFunction = @convention(c) (OpaquePointer?) -> Int32

    /// Releases the current context (its release is what drops the module references) and
    /// makes another.
    private func freshContext() {
        context = nil
        context = try? newContext()
        plan.newContext()
    }

    /// `daxctl_dev_enable_famfs` from the famfs patch series (libdaxctl `LIBDAXCTL_11`).
    private static func enableFamfs() -> EnableFunction? {
        guard let api = try? LibDaxctl.api(), let symbol = dlsym(api.handle, "daxctl_dev_enable_famfs") else { return nil }
        return unsafeBitCast(symbol, to: EnableFunction.self)
    }

    /// Calls `function` (named `name`, an enable when `enabling`) with libdaxctl's object for
    /// `device` in the current context (or a new one, see `ContextPlan`) and records the call;
    /// a dry run records it only. Returns whether the call was made. A failure names the call,
    /// not sysfs files libdaxctl chose.
    private func call(_ name: String, _ device: DaxDevice, enabling: Bool,
                      _ function: (cdaxctl_api, OpaquePointer) -> Int32) throws(StepFailure) -> Bool {
        let call = "\(name)(\(device.name))"
        writer.record(call: call)
        guard !writer.dryRun else { return false }
        let renew = context == nil || (!enabling && plan.needsNewContext(disabling: device.name))
        if renew { freshContext() }
        var handle = context?.device(named: device.name)
        // A device made since the context enumerated the bus (create-device) is not in it.
        if handle == nil && !renew {
            freshContext()
            handle = context?.device(named: device.name)
        }
        guard let context, let handle else {
            throw .sysfs(SysfsError(path: call, errno: ENODEV, operation: .libraryCall))
        }
        if enabling { plan.recordEnable(of: device.name) }
        let rc = withExtendedLifetime(context) { function(context.api, handle) }
        if rc < 0 { throw .sysfs(SysfsError(path: call, errno: -rc, operation: .libraryCall)) }
        return true
    }

    public func unbind(_ device: DaxDevice, from driver: String) throws(StepFailure) {
        guard try call("daxctl_dev_disable", device, enabling: false, { api, device in api.daxctl_dev_disable(device) }) else { return }
        if let found = writer.driver(of: device) { throw .linkMismatch(expected: nil, found: found, errno: EBUSY) }
    }

    public func bind(_ device: DaxDevice, to driver: String) throws(StepFailure) {
        let name: String
        let enable: (cdaxctl_api) -> EnableFunction
        switch driver {
        case DaxDriver.deviceDax: (name, enable) = ("daxctl_dev_enable_devdax", { $0.daxctl_dev_enable_devdax })
        case DaxDriver.kmem: (name, enable) = ("daxctl_dev_enable_ram", { $0.daxctl_dev_enable_ram })
        default:
            guard let famfs = Self.enableFamfs() else { return try fallback.bind(device, to: driver) }
            (name, enable) = ("daxctl_dev_enable_famfs", { _ in famfs })
        }
        guard try call(name, device, enabling: true, { api, device in enable(api)(device) }) else { return }
        let found = writer.driver(of: device)
        if found != driver { throw .linkMismatch(expected: driver, found: found, errno: ENXIO) }
    }
}

public enum LibDaxctlError: Error, CustomStringConvertible, Equatable, Sendable {
    case contextCreationFailed(errno: Int32)
    /// libdaxctl.so.1 could not be loaded, or lacks a function famctl calls (`reason` is
    /// dlerror's message).
    case libraryUnavailable(reason: String)

    public var description: String {
        switch self {
        case .contextCreationFailed(let errno):
            return "cannot create a libdaxctl context: \(errnoDescription(errno))"
        case .libraryUnavailable(let reason):
            return "cannot load libdaxctl (package libdaxctl1): \(reason)"
        }
    }
}
