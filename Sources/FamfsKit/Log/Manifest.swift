// SPDX-License-Identifier: Apache-2.0
/// `creat --manifest FILE`: one file per line, `path size [mode uid gid]`, fields separated
/// by blanks; size as `ByteSize` (e.g. `3m`), mode in octal digits, uid and gid as `CNumber`
/// (the grammar of `-u`/`-g`). Blank lines and lines starting with `#` are skipped.
public struct Manifest: Equatable, Sendable {
    public struct Line: Equatable, Sendable {
        public var path: [UInt8]
        public var size: UInt64
        /// nil: the command's -m/-u/-g (or their defaults).
        public var mode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?

        public init(path: [UInt8], size: UInt64, mode: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil) {
            self.path = path
            self.size = size
            self.mode = mode
            self.uid = uid
            self.gid = gid
        }
    }

    public var lines: [Line]

    public static func parse(_ text: String, name: String) throws(ManifestError) -> Manifest {
        var lines: [Line] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            let where_ = "\(name):\(number + 1)"
            guard fields.count == 2 || fields.count == 5 else {
                throw .badLine(where_, "expected `path size` or `path size mode uid gid`, found \(fields.count) fields")
            }
            let path: [UInt8]
            do throws(PathError) { path = try FamfsPath.validate(String(first)) } catch { throw .badLine(where_, error.description) }
            guard let size = ByteSize.parse(String(fields[1])) else {
                throw .badLine(where_, "invalid size \(fields[1]) (expected bytes with an optional k, m, g or t suffix)")
            }
            var line = Line(path: path, size: size)
            if fields.count == 5 {
                guard fields[2].allSatisfy({ ("0"..."7").contains($0) }), let mode = UInt32(fields[2], radix: 8), mode <= 0o7777 else {
                    throw .badLine(where_, "invalid mode \(fields[2]) (expected octal digits, 0 to 07777, e.g. 0644)")
                }
                guard let uid = CNumber.parse(fields[3]).flatMap(UInt32.init(exactly:)),
                      let gid = CNumber.parse(fields[4]).flatMap(UInt32.init(exactly:)) else {
                    throw .badLine(where_, "invalid uid/gid \(fields[3]) \(fields[4]) (expected decimal, 0x hex or 0 octal numbers)")
                }
                (line.mode, line.uid, line.gid) = (mode, uid, gid)
            }
            lines.append(line)
        }
        return Manifest(lines: lines)
    }
}

public enum ManifestError: Error, Equatable, Sendable, CustomStringConvertible {
    case badLine(String, String)

    public var description: String {
        switch self {
        case .badLine(let location, let reason): return "\(location): \(reason)"
        }
    }
}
