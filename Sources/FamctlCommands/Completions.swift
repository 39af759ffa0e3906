// SPDX-License-Identifier: Apache-2.0
import DaxKit

/// Candidates for dynamic shell completion. They read the same sysfs root the dax commands
/// use (`FAMCTL_SYSFS_ROOT`, else `/sys`), so completion works against a captured tree too.
enum Completions {
    static let modes = DaxMode.allCases.map(\.rawValue)

    /// `dax*` device names on the dax bus, plus `all`.
    static func daxDevices(_ arguments: [String], _ index: Int, _ prefix: String) -> [String] {
        let names = entries(of: "bus/dax/devices").filter { $0.hasPrefix("dax") }
        return (names + ["all"]).filter { $0.hasPrefix(prefix) }
    }

    /// Region ids (`N`) of the dax regions that hold devices, plus `all`.
    static func regions(_ arguments: [String], _ index: Int, _ prefix: String) -> [String] {
        let ids = entries(of: "bus/dax/devices").compactMap { name -> String? in
            guard name.hasPrefix("dax"), let dot = name.firstIndex(of: ".") else { return nil }
            return String(name[name.index(name.startIndex, offsetBy: 3)..<dot])
        }
        return (Array(Set(ids)).sorted() + ["all"]).filter { $0.hasPrefix(prefix) }
    }

    private static func entries(of relativePath: String) -> [String] {
        HostSysfs(root: HostSysfs.defaultRoot()).list(relativePath).sorted()
    }
}
