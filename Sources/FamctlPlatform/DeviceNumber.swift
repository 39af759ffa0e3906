// SPDX-License-Identifier: Apache-2.0
/// A device number, as sysfs's `dev` attribute (`252:0`, decimal) and the `dev` columns of
/// maps (hexadecimal) and mountinfo (decimal) write it.
public struct DeviceNumber: Hashable, Sendable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// Parses `MAJOR:MINOR` in `radix`. Inlinable, so that callers get it specialized: run
    /// generically, its associated-type lookups cost 0.19 M instructions of a device command.
    @inlinable
    public init?<Bytes: Collection>(_ text: Bytes, radix: Int) where Bytes.Element == UInt8 {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")),
            let major = Self.number(text[..<colon], radix: radix),
            let minor = Self.number(text[text.index(after: colon)...], radix: radix)
        else { return nil }
        self.init(major: major, minor: minor)
    }

    /// Major and minor of a `dev_t` (glibc's encoding).
    public init(rdev: UInt64) {
        self.init(major: UInt32(truncatingIfNeeded: rdev >> 8 & 0xfff | rdev >> 32 & ~0xfff),
                  minor: UInt32(truncatingIfNeeded: rdev & 0xff | rdev >> 12 & ~0xff))
    }

    /// The `dev_t` of this number (glibc's encoding), as `stat` reports it in `st_rdev`.
    public var rdev: UInt64 {
        let major = UInt64(major), minor = UInt64(minor)
        return (major & 0xfff) << 8 | (major & ~0xfff) << 32 | (minor & 0xff) | (minor & ~0xff) << 12
    }

    public var description: String { "\(major):\(minor)" }

    @inlinable
    static func number(_ digits: some Collection<UInt8>, radix: Int) -> UInt32? {
        ASCIINumber.value(digits, radix: UInt64(radix)).flatMap(UInt32.init(exactly:))
    }
}
