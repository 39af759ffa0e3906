/// Which paths a log defines, as directories or files: the log replayed in memory by the
/// rules logplay applies to a real tree (section 12 of the format spec). Writers consult it
/// to refuse duplicates and missing parents before they append.
public struct Namespace: Sendable {
    public enum Node: Equatable, Sendable {
        case directory
        case file(size: UInt64)
    }

    /// What replaying one entry did.
    public enum Outcome: Equatable, Sendable {
        case created
        /// The path already exists with the same kind (a later duplicate is harmless).
        case existed
        /// The path exists as the other kind.
        case conflict(Node)
        case missingParent([UInt8])
        /// Absolute, empty or climbing above the root once normalised.
        case invalidPath
    }

    private var nodes: [[UInt8]: Node] = [:]

    public init() {}

    /// Replays the valid FILE and MKDIR entries of a scan, in log order.
    public init(scan: LogScan) {
        nodes.reserveCapacity(scan.entries.count)
        for entry in scan.entries { apply(entry.body) }
    }

    public var count: Int { nodes.count }

    /// The node at a normalised path (components joined by `/`); the root is a directory.
    public func node(at path: [UInt8]) -> Node? {
        path.isEmpty ? .directory : nodes[path]
    }

    /// Replays one entry; entries without a path (ADD_DAXDEV, unknown types) change nothing
    /// and report `.existed`.
    @discardableResult
    public mutating func apply(_ body: LogEntry.Body) -> Outcome {
        switch body {
        case .file(let file): return add(file.path, as: .file(size: file.size))
        case .directory(let directory): return add(directory.path, as: .directory)
        case .addDaxdev, .other: return .existed
        }
    }

    private mutating func add(_ logged: [UInt8], as kind: Node) -> Outcome {
        guard let components = FamfsPath.normalize(logged: logged) else { return .invalidPath }
        let parent = Array(components.dropLast().joined(separator: [FamfsPath.slash]))
        guard node(at: parent) == .directory else { return .missingParent(parent) }
        let path = components.count == 1 ? components[0] : Array(components.joined(separator: [FamfsPath.slash]))
        switch nodes[path] {
        case nil:
            nodes[path] = kind
            return .created
        case .directory?:
            return kind == .directory ? .existed : .conflict(.directory)
        case .file(let size)?:
            if case .file = kind { return .existed }
            return .conflict(.file(size: size))
        }
    }
}
