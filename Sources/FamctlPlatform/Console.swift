// SPDX-License-Identifier: Apache-2.0
/// famctl's standard output and standard error, written unbuffered straight to descriptors
/// 1 and 2: lines appear in program order however a provisioning script captures the two
/// streams. A failed write (a closed pipe) is dropped, as for `print`.
public enum Console {
    public static func out(_ text: String) { write(1, text) }

    public static func error(_ text: String) { write(2, text) }

    private static func write(_ descriptor: Int32, _ text: String) {
        var text = text
        _ = text.withUTF8 { Syscall.writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    }
}

/// Where a command's lines go, one line a call (the newline added): the console, or a
/// collector in tests. One policy for every command: each line is written at once, so
/// stdout and stderr stay in program order.
public struct ConsoleLines {
    public var out: (String) -> Void
    public var error: (String) -> Void

    public init(out: @escaping (String) -> Void, error: @escaping (String) -> Void) {
        self.out = out
        self.error = error
    }

    /// Descriptors 1 and 2, through `Console`.
    public static var standard: ConsoleLines {
        ConsoleLines(out: { Console.out($0 + "\n") }, error: { Console.error($0 + "\n") })
    }
}
