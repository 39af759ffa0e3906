// SPDX-License-Identifier: Apache-2.0
/// Unsigned numbers written in ASCII digits, as sysfs and `/proc` write them (`4096`, the hex
/// of `0x1000` without its prefix, the columns of maps). Read as bytes: these run for every
/// attribute and every maps line, and a tree's file may hold anything, so there is no sign,
/// no space and no overflow.
public enum ASCIINumber {
    /// A non-empty run of digits of `radix` (10 or 16; hex digits in either case) that fits a
    /// UInt64. Inlinable, so that callers get it specialized for their collection.
    @inlinable
    public static func value(_ digits: some Collection<UInt8>, radix: UInt64) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }
}
