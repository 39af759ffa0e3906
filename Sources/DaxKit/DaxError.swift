// SPDX-License-Identifier: Apache-2.0
import Glibc
/// Why a dax operation was refused or failed. Every case names the device and carries the
/// errno daxctl would return, so the exit status keeps daxctl's convention (256 − errno).
public enum DaxError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `auto_online_blocks` (at `path`, under the sysfs root in use) would online the memory
    /// as soon as kmem binds.
    case autoOnlinePolicy(device: String, policy: String, path: String)
    /// Leaving system-ram while blocks are online, without `--force`.
    case memoryOnline(device: String, online: Int, total: Int, target: DaxMode)
    /// A block whose `removable` is 0 cannot be offlined.
    case blockNotRemovable(device: String, block: String)
    /// kmem hot-plugs whole memory blocks only; the device holds none.
    case noWholeMemoryBlock(device: String, size: UInt64, blockSize: UInt64)
    /// The driver for the requested mode is not in this kernel.
    case driverMissing(device: String, driver: String)
    /// A sysfs write failed or did not take; `state` says where the device ended up.
    case switchFailed(device: String, cause: SysfsError, state: String)
    /// The `driver` link did not change as expected after a write that succeeded.
    case driverDidNotChange(device: String, expected: String?, found: String?, errno: Int32, state: String)
    /// Bound to a driver famctl does not manage.
    case foreignDriver(device: String, driver: String)
    /// The legacy dax-class device model cannot change modes.
    case daxClass(device: String)
    /// online-memory / offline-memory on a device that is not in system-ram mode.
    case notSystemRAM(device: String, state: String)
    /// enable-device / disable-device on a system-ram device.
    case statusNotApplicable(device: String)
    /// The blocks could not be found: `resource` or `target_node` unreadable (not root?).
    case memoryUnknown(device: String)
    /// destroy-device of an enabled device without `--force`.
    case deviceActive(device: String)
    /// Resizing or re-aligning a device that is bound to a driver.
    case mustBeDisabled(device: String, driver: String)
    /// create-device on a region with no room or no `create` attribute.
    case noSpace(region: Int)
    case staticRegion(region: Int)
    /// Device or region arguments that matched nothing.
    case noMatch(argument: String)
    /// An argument that is not a device or region name.
    case badName(argument: String, expected: String)
    /// A value famctl cannot act on (size, align, input JSON).
    case invalidValue(what: String, value: String, expected: String)
    /// The sysfs root is missing or is not a sysfs tree.
    case notSysfsTree(root: String, reason: String)
    /// A `--check-config` file that cannot be used.
    case config(DaxConfigError)
    /// Processes hold the device, or a file system is mounted from it: unbinding it would
    /// corrupt the kernel. Nothing was written.
    case busy(device: String, holders: [DeviceHolder])
    /// A condition found halfway through a switch; `state` says where the rollback left the device.
    indirect case interrupted(DaxError, state: String)

    /// The errno daxctl reports for the same condition.
    public var errno: Int32 {
        switch self {
        case .autoOnlinePolicy, .memoryOnline, .foreignDriver, .mustBeDisabled, .busy: return EBUSY
        case .blockNotRemovable, .daxClass, .staticRegion: return EOPNOTSUPP
        case .noWholeMemoryBlock, .badName, .invalidValue, .config: return EINVAL
        case .notSysfsTree: return ENOENT
        case .driverMissing: return ENODEV
        case .switchFailed(_, let cause, _): return cause.errno
        case .driverDidNotChange(_, _, _, let errno, _): return errno
        case .notSystemRAM, .statusNotApplicable, .deviceActive, .noMatch: return ENXIO
        case .memoryUnknown: return EACCES
        case .noSpace: return ENOSPC
        case .interrupted(let cause, _): return cause.errno
        }
    }

    /// The most holders a refusal names; the rest are counted.
    static let holdersShown = 32

    /// The message, one line per holder for `busy`: callers print each with their prefix.
    public var lines: [String] {
        if case .interrupted(let cause, let state) = self, cause.lines.count > 1 { return cause.lines + [state] }
        guard case .busy(let device, let holders) = self else { return [description] }
        var lines = holders.prefix(Self.holdersShown).map { "\(device): busy: \($0)" }
        if holders.count > Self.holdersShown { lines.append("\(device): busy: and \(holders.count - Self.holdersShown) more") }
        lines.append("\(device): nothing was changed; stop those processes or unmount, then retry "
            + "(the kernel lets a busy device be unbound and then corrupts itself)")
        return lines
    }

    public var description: String {
        switch self {
        case .busy: return lines.joined(separator: "\n")
        case .autoOnlinePolicy(let device, let policy, let path):
            return "\(device): error: kernel policy will auto-online memory, aborting "
                + "(auto_online_blocks is '\(policy)'; write 'offline' to \(path) or use --force)"
        case .memoryOnline(let device, let online, let total, let target):
            return "\(device): \(online) of \(total) memory blocks are online; refusing to change to \(target.rawValue) mode "
                + "(use --force to offline them first, or 'famctl offline-memory \(device)')"
        case .blockNotRemovable(let device, let block):
            return "\(device): \(block) is unremovable (removable is 0); its memory cannot be offlined until a reboot "
                + "with auto_online_blocks set to offline"
        case .noWholeMemoryBlock(let device, let size, let blockSize):
            return "\(device): \(size) bytes hold no whole \(blockSize)-byte memory block; kmem can hot-plug only whole, "
                + "block-aligned memory blocks"
        case .driverMissing(let device, let driver):
            let mode = DaxMode(driver: driver)?.rawValue ?? driver
            return "\(device): this kernel has no \(mode) mode (driver \(driver) not found); \(device) was not changed"
        case .switchFailed(let device, let cause, let state):
            // pmem/ndctl#256: users need to know that only a reboot frees such a block.
            let hint = cause.errno == EBUSY && cause.path.hasPrefix("devices/system/memory/memory")
                ? " (the block holds unmovable kernel pages, typically in ZONE_NORMAL; it can be freed only by a reboot "
                    + "with auto_online_blocks set to offline)"
                : ""
            return "\(device): \(cause)\(hint); \(state)"
        case .driverDidNotChange(let device, let expected, let found, let errno, let state):
            let wanted = expected.map { "bound to \($0)" } ?? "unbound"
            let actual = found.map { "bound to \($0)" } ?? "unbound"
            return "\(device): failed to \(expected == nil ? "disable" : "enable"): expected \(wanted), found \(actual) "
                + "(\(errnoDescription(errno))); \(state)"
        case .foreignDriver(let device, let driver):
            return "\(device): bound to driver \(driver), which famctl does not manage; unbind it first"
        case .daxClass(let device):
            return "\(device): device model is dax-class; modes cannot be changed (\(errnoDescription(EOPNOTSUPP)))"
        case .notSystemRAM(let device, let state):
            return "\(device): memory operations are not applicable in \(state) mode"
        case .statusNotApplicable(let device):
            return "\(device): status operations are only applicable in devdax mode (it is in system-ram mode)"
        case .memoryUnknown(let device):
            return "\(device): cannot find its memory blocks (resource or target_node unreadable; run as root)"
        case .deviceActive(let device):
            return "\(device) is active, specify --force for deletion"
        case .mustBeDisabled(let device, let driver):
            return "\(device) is bound to \(driver); disable it first ('famctl disable-device \(device)') to change its size or alignment"
        case .noSpace(let region):
            return "region\(region): no space available for a new device"
        case .staticRegion(let region):
            return "region\(region): devices of a static region cannot be created or resized"
        case .noMatch(let argument):
            return "no dax device matches '\(argument)'"
        case .badName(let argument, let expected):
            return "'\(argument)' is not \(expected)"
        case .invalidValue(let what, let value, let expected):
            return "invalid \(what) '\(value)': expected \(expected)"
        case .notSysfsTree(let root, let reason):
            return "\(root) is not a sysfs tree: \(reason) (check --sysfs-root and FAMCTL_SYSFS_ROOT)"
        case .config(let cause): return cause.description
        case .interrupted(let cause, let state):
            return cause.lines.count > 1 ? lines.joined(separator: "\n") : "\(cause); \(state)"
        }
    }
}
