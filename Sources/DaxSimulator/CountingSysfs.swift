// SPDX-License-Identifier: Apache-2.0
import DaxKit

/// Counts the operations made through a `Sysfs`, so tests can check that
/// no attribute is read again in a loop.
public final class CountingSysfs: Sysfs {
    public let base: Sysfs
    public private(set) var reads = 0
    public private(set) var writes = 0
    public private(set) var links = 0
    public private(set) var listings = 0
    /// Every operation, `read PATH`, `write PATH VALUE`, `link PATH`, `list PATH`, in order.
    public private(set) var log: [String] = []

    public init(_ base: Sysfs) { self.base = base }

    public var root: String { base.root }

    public var total: Int { reads + writes + links + listings }

    public func read(_ path: String) throws(SysfsError) -> String {
        reads += 1
        log.append("read \(path)")
        return try base.read(path)
    }
    public func write(_ path: String, _ value: String) throws(SysfsError) {
        writes += 1
        log.append("write \(path) \(value)")
        try base.write(path, value)
    }
    public func readLink(_ path: String) -> String? {
        links += 1
        log.append("link \(path)")
        return base.readLink(path)
    }
    public func list(_ path: String) -> [String] {
        listings += 1
        log.append("list \(path)")
        return base.list(path)
    }
    public func exists(_ path: String) -> Bool {
        reads += 1
        log.append("exists \(path)")
        return base.exists(path)
    }
    public func loadModule(_ name: String) throws(SysfsError) { try base.loadModule(name) }
}
