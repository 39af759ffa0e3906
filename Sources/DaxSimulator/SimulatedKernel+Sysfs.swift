// SPDX-License-Identifier: Apache-2.0
import DaxKit
import Foundation

/// The simulated kernel seen through `Sysfs`: reads and listings of the rendered tree, writes
/// dispatched to the handlers in SimulatedKernel+Writes.swift.
extension SimulatedKernel: Sysfs {
    /// The simulated kernel stands for the host's `/sys`.
    public var root: String { "/sys" }

    public func read(_ path: String) throws(SysfsError) -> String {
        guard let canonical = canonical(path), let node = tree[canonical] else { throw SysfsError(path: path, errno: ENOENT, operation: .read) }
        switch node {
        case .file(let content, let readable):
            guard readable else { throw SysfsError(path: path, errno: EACCES, operation: .read) }
            return content
        case .directory, .link:
            throw SysfsError(path: path, errno: EINVAL, operation: .read)
        }
    }

    public func readLink(_ path: String) -> String? {
        let parent = SysfsPath.parent(path)
        guard let directory = parent.isEmpty ? "" : canonical(parent) else { return nil }
        render()
        let key = directory.isEmpty ? SysfsPath.basename(path) : directory + "/" + SysfsPath.basename(path)
        guard case .link(let target)? = tree[key] else { return nil }
        return target
    }

    public func list(_ path: String) -> [String] {
        guard let canonical = canonical(path) else { return [] }
        return children[canonical] ?? []
    }

    public func exists(_ path: String) -> Bool {
        guard let canonical = canonical(path) else { return false }
        return tree[canonical] != nil
    }

    public func loadModule(_ name: String) throws(SysfsError) {
        loadedModules.append(name)
        if loadableModules.contains(name) { drivers.insert(name) }
    }

    public func write(_ path: String, _ value: String) throws(SysfsError) {
        let entry = SysfsWrite(path: path, value: value)
        do throws(SysfsError) {
            try dispatch(path, value.trimmingCharacters(in: .whitespacesAndNewlines))
            writeLog.append((entry, nil))
        } catch {
            writeLog.append((entry, error.errno))
            throw error
        }
    }
}
