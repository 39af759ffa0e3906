// SPDX-License-Identifier: Apache-2.0
/// Sizes as famfs users type them: a number as `CNumber` reads it (so `010` is 8 and `0x10`
/// is 16, as upstream reads them) with an optional k, m, g or t suffix (either case, powers
/// of 1024). Upstream knows k, m and g; `t` is famctl's (upstream ignores a letter it does
/// not know and would read `1t` as 1 byte).
public enum ByteSize {
    public static func parse(_ text: String) -> UInt64? {
        var digits = Substring(text)
        var multiplier: UInt64 = 1
        if let last = digits.last, !last.isHexDigit, last != "x", last != "X" {
            switch last.lowercased() {
            case "k": multiplier = 1 << 10
            case "m": multiplier = 1 << 20
            case "g": multiplier = 1 << 30
            case "t": multiplier = 1 << 40
            default: return nil
            }
            digits = digits.dropLast()
        }
        guard let value = CNumber.parse(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}

/// Unsigned numbers as upstream famfs reads its numeric options (C's `strtoul` with base 0):
/// `0x` or `0X` and hex digits, a leading `0` and octal digits, else decimal digits. Unlike
/// `strtoul`, nothing else is taken (no sign, blanks or trailing text, which C would skip or
/// ignore), so famctl never logs a number other than the one upstream would.
public enum CNumber {
    public static func parse(_ text: some StringProtocol) -> UInt64? {
        let (digits, radix): (Substring, Int)
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            (digits, radix) = (Substring(text.dropFirst(2)), 16)
        } else if text.hasPrefix("0"), text.count > 1 {
            (digits, radix) = (Substring(text.dropFirst()), 8)
        } else {
            (digits, radix) = (Substring(text), 10)
        }
        // UInt64(_:radix:) would also take a sign.
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt64(digits, radix: radix)
    }
}
