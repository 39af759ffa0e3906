// SPDX-License-Identifier: Apache-2.0
/// The three modes a dax device can be switched among, named as on daxctl's command line.
public enum DaxMode: String, Sendable, CaseIterable, Equatable {
    case devdax
    case systemRAM = "system-ram"
    case famfs

    /// The kernel driver that gives a device this mode.
    public var driver: String {
        switch self {
        case .devdax: return DaxDriver.deviceDax
        case .systemRAM: return DaxDriver.kmem
        case .famfs: return DaxDriver.fsdevDax
        }
    }

    /// The mode a bound driver gives, or nil for a driver famctl does not know.
    public init?(driver: String) {
        guard let mode = DaxMode.allCases.first(where: { $0.driver == driver }) else { return nil }
        self = mode
    }
}

/// Driver names on the dax bus (`/sys/bus/dax/drivers/<name>`).
public enum DaxDriver {
    public static let deviceDax = "device_dax"
    public static let kmem = "kmem"
    public static let fsdevDax = "fsdev_dax"
}

extension DaxMode {
    /// How messages name the mode a driver gives a device: daxctl's mode name, or what the
    /// device is instead (no driver, a driver famctl does not know).
    public static func name(ofDriver driver: String?) -> String {
        guard let driver else { return "disabled (no driver bound)" }
        return DaxMode(driver: driver)?.rawValue ?? "unknown (driver \(driver))"
    }
}
