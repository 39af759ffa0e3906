// SPDX-License-Identifier: Apache-2.0
import Glibc

/// This host's famfs identity: the UUID in `/opt/famfs/system_uuid`. The host whose UUID is
/// in the superblock is the owner (master) and the only one that may append to the log.
public enum SystemUUID {
    public static let defaultPath = "/opt/famfs/system_uuid"

    /// The UUID in `path`: the first 36 non-blank characters; nil when the file is missing
    /// or does not hold a UUID.
    public static func read(_ path: String) -> FamfsUUID? {
        guard case .success(let bytes) = Syscall.readFile(path, limit: 4096) else { return nil }
        let significant = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace && $0 != "\0" }
        return FamfsUUID(significant.prefix(36))
    }

    /// The UUID in `path`, creating the file (and its directory, mode 0755) with a fresh
    /// random UUID when it is missing, as upstream does: mode 0444, text plus a NUL.
    public static func readOrCreate(_ path: String) throws(SystemUUIDError) -> FamfsUUID {
        if let uuid = read(path) { return uuid }
        if case .success = Syscall.status(path) { throw .unreadable(path: path) }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty, case .failure = Syscall.status(directory) {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
                throw .cannotCreate(path: directory, errno: errno)
            }
        }
        let uuid = FamfsUUID.random()
        guard case .success(let fd) = Syscall.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o444) else {
            throw .cannotCreate(path: path, errno: errno)
        }
        defer { Syscall.close(fd) }
        let content = Array(uuid.description.utf8) + [0]
        if case .failure(let code) = content.withUnsafeBytes({ Syscall.writeAll(fd, $0) }) {
            throw .cannotCreate(path: path, errno: code.rawValue)
        }
        return uuid
    }
}

public enum SystemUUIDError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String)
    case cannotCreate(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .unreadable(let path):
            return "\(path): does not hold a system UUID (expected 36 characters like c0ffee00-1234-4abc-8def-0123456789ab)"
        case .cannotCreate(let path, let code):
            return "\(path): cannot create the system UUID file: \(errnoDescription(code))"
        }
    }
}
