import CDaxctl

/// A libdaxctl library context. libdaxctl reads `/sys` only; the sysfs backend serves
/// other roots.
public final class LibDaxctlContext {
    let handle: OpaquePointer

    /// Creates a context; the corresponding C function is `daxctl_new`.
    public init() throws(LibDaxctlError) {
        var context: OpaquePointer?
        let rc = daxctl_new(&context)
        guard rc == 0, let context else { throw .contextCreationFailed(errno: -rc) }
        handle = context
    }

    deinit { daxctl_unref(handle) }
}

public enum LibDaxctlError: Error, CustomStringConvertible, Equatable, Sendable {
    case contextCreationFailed(errno: Int32)

    public var description: String {
        switch self {
        case .contextCreationFailed(let errno):
            return "cannot create a libdaxctl context (errno \(errno))"
        }
    }
}
