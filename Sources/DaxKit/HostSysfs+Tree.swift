// SPDX-License-Identifier: Apache-2.0
import CDaxctl
import Glibc

extension HostSysfs {
    /// The paths one of which every kernel with dax or memory hotplug has.
    static let landmarks = ["bus/dax", "devices/system/memory"]

    /// Refuses a root that is not a sysfs tree, so a mistyped `--sysfs-root` is an error
    /// rather than "no devices": the root must be a mounted sysfs (a host without dax or
    /// memory hotplug lists nothing, as daxctl does) or hold `bus/dax` or
    /// `devices/system/memory` (a captured tree).
    public func requireSysfsTree() throws(DaxError) {
        var status = statfs()
        guard statfs(root, &status) == 0 else { throw .notSysfsTree(root: root, reason: errnoDescription(errno)) }
        let sysfsMagic = 0x6265_6572
        if status.f_type == sysfsMagic || Self.landmarks.contains(where: exists) { return }
        throw .notSysfsTree(root: root, reason: "neither \(Self.landmarks.map { SysfsPath.absolute($0, root: root) }.joined(separator: " nor ")) exists")
    }
}
