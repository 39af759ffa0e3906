// SPDX-License-Identifier: Apache-2.0
/// Turns mkdir and creat requests into log entries, checked against the namespace the log
/// already defines (and against the entries planned before them in the same command), with
/// extents from the allocator. Nothing is appended here: a command appends the whole plan
/// only when every request passed.
public struct EntryPlanner {
    public private(set) var namespace: Namespace
    public private(set) var allocator: Allocator
    public private(set) var bodies: [LogEntry.Body] = []
    /// Files that already existed with the requested size (upstream: a no-op).
    public private(set) var unchanged: [[UInt8]] = []

    public init(superblock: Superblock, scan: LogScan) {
        namespace = Namespace(scan: scan)
        allocator = Allocator(superblock: superblock, scan: scan)
    }

    /// Plans against what `log` defines, streamed window by window as fsck reads it (the same
    /// namespace and bitmap as from a `LogScan`, without holding the log or its entries).
    public init(log: OpenedLog) throws(VolumeError) {
        let outcome: FsckChecker.Outcome
        // Room for every slot: appending to a namespace filled to capacity would copy it whole.
        do {
            outcome = try FsckChecker.outcome(of: log.volume, header: log.header, systemUUID: nil, room: Int(log.slotCount))
        } catch {
            throw .device(error)
        }
        namespace = outcome.namespace
        allocator = Allocator(superblock: log.superblock, bitmap: outcome.bitmap)
    }

    public struct Owner: Equatable, Sendable {
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32

        public init(mode: UInt32, uid: UInt32, gid: UInt32) {
            self.mode = mode
            self.uid = uid
            self.gid = gid
        }
    }

    /// Plans MKDIR entries for `path`; with `parents`, missing ancestors first and an
    /// existing directory is a no-op.
    public mutating func mkdir(_ path: [UInt8], owner: Owner, parents: Bool) throws(PlanError) {
        let chain = (parents ? FamfsPath.ancestors(of: path) : []) + [path]
        for directory in chain {
            switch namespace.node(at: directory) {
            case .directory?:
                if parents { continue }
                throw .exists(text(directory), .directory)
            case .file(let size)?:
                throw .exists(text(directory), .file(size: size))
            case nil:
                break
            }
            try requireParent(of: directory)
            let body = LogEntry.Body.directory(DirectoryEntry(uid: owner.uid, gid: owner.gid, mode: owner.mode, path: directory))
            namespace.apply(body)
            bodies.append(body)
        }
    }

    /// Plans a FILE entry of `size` bytes at `path`, allocating its space.
    public mutating func creat(
        _ path: [UInt8], size: UInt64, owner: Owner, layout: Allocator.Layout, random: inout some RandomNumberGenerator
    ) throws(PlanError) {
        switch namespace.node(at: path) {
        case .file(let existing)?:
            guard existing == size else { throw .sizeMismatch(text(path), logged: existing, requested: size) }
            unchanged.append(path)
            return
        case .directory?:
            throw .exists(text(path), .directory)
        case nil:
            break
        }
        guard size > 0 else { throw .emptyFile(text(path)) }
        try requireParent(of: path)
        let extents: FileEntry.Extents
        do throws(AllocationError) {
            extents = try allocator.allocate(size: size, layout: layout, random: &random)
        } catch {
            throw .allocation(text(path), error)
        }
        let body = LogEntry.Body.file(FileEntry(
            size: size, uid: owner.uid, gid: owner.gid, mode: owner.mode, path: path, extents: extents))
        namespace.apply(body)
        bodies.append(body)
    }

    private func requireParent(of path: [UInt8]) throws(PlanError) {
        guard let parent = FamfsPath.parent(of: path) else { return }
        switch namespace.node(at: parent) {
        case .directory?: return
        case .file?: throw .parentNotDirectory(text(path), parent: text(parent))
        case nil: throw .missingParent(text(path), parent: text(parent))
        }
    }

    private func text(_ path: [UInt8]) -> String { String(decoding: path, as: UTF8.self) }
}

/// Why a request cannot be logged; the command appends nothing.
public enum PlanError: Error, Equatable, Sendable, CustomStringConvertible {
    case exists(String, Namespace.Node)
    case missingParent(String, parent: String)
    case parentNotDirectory(String, parent: String)
    case sizeMismatch(String, logged: UInt64, requested: UInt64)
    case emptyFile(String)
    case allocation(String, AllocationError)

    public var description: String {
        switch self {
        case .exists(let path, .directory):
            return "\(path): already exists as a directory"
        case .exists(let path, .file(let size)):
            return "\(path): already exists as a file (\(size) bytes)"
        case .missingParent(let path, let parent):
            return "\(path): parent directory \(parent) does not exist in the log (create it first, or use mkdir -p)"
        case .parentNotDirectory(let path, let parent):
            return "\(path): parent \(parent) is a file, not a directory"
        case .sizeMismatch(let path, let logged, let requested):
            return "file \(path) exists and is not the same size (logged \(logged) bytes, requested \(requested))"
        case .emptyFile(let path):
            return "\(path): size must be greater than 0"
        case .allocation(let path, let error):
            return "\(path): \(error)"
        }
    }
}
