// SPDX-License-Identifier: Apache-2.0
import Glibc

extension FamfsDevice {
    /// Makes [offset, offset + length) read as zeros. Image files get a hole punched (no
    /// blocks written, a sparse image stays sparse); dax devices, and file systems that
    /// cannot punch holes, are zeroed through a mapping and flushed.
    func zero(offset: UInt64, length: UInt64) throws(DeviceError) {
        if kind == .imageFile, case .success = Syscall.punchHole(fd, offset: offset, length: length) { return }
        let region = try map(offset: offset, length: length, writable: true)
        try region.reserve(0..<region.count)
        try region.zero()
        try region.flush()
    }

    /// The largest length a file can have (off_t).
    public static let largestImageSize = UInt64(Int64.max)

    /// Creates the image file at `path` with `size` bytes (sparse), or grows an existing
    /// empty one; an existing non-empty file is left alone. Returns whether this call created
    /// the file; one it created is removed again when it cannot be given its size.
    @discardableResult
    static func createImage(_ path: String, size: UInt64) throws(DeviceError) -> Bool {
        precondition(size <= largestImageSize, "callers refuse sizes past off_t")
        let fd: Int32
        var created = true
        switch Syscall.open(path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o644) {
        case .success(let value): fd = value
        case .failure(.fileExists):
            created = false
            switch Syscall.open(path, flags: O_RDWR) {
            case .success(let value): fd = value
            case .failure(let code): throw .cannotOpen(path: path, errno: code.rawValue)
            }
        case .failure(let code): throw .cannotOpen(path: path, errno: code.rawValue)
        }
        defer { Syscall.close(fd) }
        guard case .success(let info) = Syscall.fileStatus(fd), info.st_size == 0 else { return created }
        if case .failure(let code) = Syscall.ftruncate(fd, Int64(size)) {
            if created { unlink(path) }
            throw .resizeFailed(path: path, size: size, errno: code.rawValue)
        }
        return created
    }
}
