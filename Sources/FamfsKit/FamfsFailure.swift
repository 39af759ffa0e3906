// SPDX-License-Identifier: Apache-2.0
/// What kind of failure a famfs error is, for the caller that turns it into an outcome
/// (famctl's exit status table, ExitCodes.swift). The library classifies; it picks no numbers.
public enum FamfsFailureKind: Sendable, Equatable {
    /// A check failed and nothing was written (not the owner, log full, path exists, a
    /// target mkfs must not overwrite).
    case refused
    /// The target, a meta file or a directory could not be opened, read or written.
    case io
    /// The superblock or the log header is not valid famfs metadata.
    case invalidMetadata
}

/// A famfs error that knows its kind.
public protocol FamfsClassified: Error {
    var kind: FamfsFailureKind { get }
}

extension VolumeError: FamfsClassified {
    public var kind: FamfsFailureKind {
        if case .device = self { return .io }
        return .invalidMetadata
    }
}

extension AppendError: FamfsClassified {
    public var kind: FamfsFailureKind {
        if case .io = self { return .io }
        return .refused
    }
}

extension ReplayTreeError: FamfsClassified {
    public var kind: FamfsFailureKind { .io }
}

extension PlanError: FamfsClassified {
    public var kind: FamfsFailureKind { .refused }
}

extension ManifestError: FamfsClassified {
    public var kind: FamfsFailureKind { .refused }
}

extension SystemUUIDError: FamfsClassified {
    public var kind: FamfsFailureKind { .io }
}

extension MkfsError: FamfsClassified {
    public var kind: FamfsFailureKind { isRefusal ? .refused : .io }
}
