#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension FamfsDevice {
    /// Makes [offset, offset + length) read as zeros. Image files get a hole punched (no
    /// blocks written, a sparse image stays sparse); dax devices, and file systems that
    /// cannot punch holes, are zeroed through a mapping and flushed.
    func zero(offset: UInt64, length: UInt64) throws(DeviceError) {
        if kind == .imageFile, case .success = Syscall.punchHole(fd, offset: offset, length: length) { return }
        let region = try map(offset: offset, length: length, writable: true)
        region.bytes.initializeMemory(as: UInt8.self, repeating: 0)
        try region.flush()
    }

    /// Creates the image file at `path` with `size` bytes (sparse), or grows an existing
    /// empty one; an existing non-empty file is left alone.
    static func createImage(_ path: String, size: UInt64) throws(DeviceError) {
        let fd: Int32
        switch Syscall.open(path, flags: O_RDWR | O_CREAT, mode: 0o644) {
        case .success(let value): fd = value
        case .failure(let code): throw .cannotOpen(path: path, errno: code.rawValue)
        }
        defer { Syscall.close(fd) }
        guard case .success(let info) = Syscall.status(path), info.st_size == 0 else { return }
        // Safe: ByteSize.parse bounds sizes to UInt64; off_t holds up to 8 EiB, checked here.
        guard size <= UInt64(Int64.max), case .success = Syscall.ftruncate(fd, Int64(size)) else {
            throw .resizeFailed(path: path, size: size, errno: errno)
        }
    }
}
