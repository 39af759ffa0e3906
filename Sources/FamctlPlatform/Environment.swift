// SPDX-License-Identifier: Apache-2.0
import Glibc

/// The process environment, one variable at a time. (Foundation's
/// `ProcessInfo.processInfo.environment` copies every variable into a dictionary to look up
/// one: 0.6 M instructions of a 4 M-instruction reconfigure dry run.)
public enum Environment {
    /// The value of `name`, or nil when it is unset.
    public static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
