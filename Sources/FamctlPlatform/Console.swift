// SPDX-License-Identifier: Apache-2.0
import SystemPackage

/// famctl's standard output and standard error, written unbuffered straight to descriptors
/// 1 and 2: lines appear in program order however a provisioning script captures the two
/// streams. A failed write (a closed pipe) is dropped, as for `print`.
public enum Console {
    public static func out(_ text: String) { write(.standardOutput, text) }

    public static func error(_ text: String) { write(.standardError, text) }

    private static func write(_ descriptor: FileDescriptor, _ text: String) {
        var text = text
        _ = text.withUTF8 { try? descriptor.writeAll(UnsafeRawBufferPointer($0)) }
    }
}
