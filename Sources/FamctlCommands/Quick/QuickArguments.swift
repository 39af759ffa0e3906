// SPDX-License-Identifier: Apache-2.0

/// A command line read without swift-argument-parser, for the invocations that provisioning
/// scripts run by the thousand (`famctl --version`, `list`, `reconfigure-device` and the other
/// per-device commands).
///
/// argument-parser finds a command's options by reflection at every start: about 6 M
/// instructions and 100 page faults before famctl's own code runs, more than the whole of
/// `daxctl list` (issue 13). This reader takes only what it reads exactly as argument-parser
/// would: long options (`--mode famfs`, `--mode=famfs`), one short option (`-m famfs`, and
/// `-r0` where the option allows joined values), a group of short flags (`-RDMiu`) and, where
/// the command has them, positional arguments. Anything else (help, an unknown or repeated
/// option, `--`, an empty value or one whose first byte is `-`, a joined value that starts with
/// a byte beyond ASCII) makes it give up, and argument-parser parses the command line as
/// always: its errors and help are unchanged. It reads bytes, not Characters: String's
/// Character and prefix methods run Unicode segmentation, a dozen pages of code faulted in at
/// every start (issue 13). The readings agree: option names, letters, `-` and `=` are ASCII,
/// and no ASCII byte joins a Character with its neighbour but a combining mark after it.
/// `QuickParseTests` checks every command's table against argument-parser's definitions, and
/// the two parsers' results against each other.
struct QuickArguments {
    /// One option of a command, as its argument-parser declaration names it.
    struct Option {
        /// The short name's letter (ASCII, as argument-parser's are here), as an argument
        /// spells it. A byte, not a Character: copying a Character runs its value witness,
        /// one more page of the standard library at every start.
        let letter: UInt8?
        let long: String
        let takesValue: Bool
        /// `-r0` as well as `-r 0` (argument-parser's `allowingJoined`).
        let joined: Bool
        /// Flags of one exclusive set (`--movable`, `--no-movable`): a second one of the set
        /// counts as a repeat, left to argument-parser's last-wins rule.
        var exclusive: String? = nil

        static func flag(_ short: Unicode.Scalar? = nil, _ long: String, exclusive: String? = nil) -> Option {
            Option(letter: short.map { UInt8(ascii: $0) }, long: long, takesValue: false, joined: false, exclusive: exclusive)
        }

        static func value(_ short: Unicode.Scalar? = nil, _ long: String, joined: Bool = false) -> Option {
            Option(letter: short.map { UInt8(ascii: $0) }, long: long, takesValue: true, joined: joined)
        }
    }

    let options: [Option]
    /// What each of `options` was given ("" for a flag), where `present` has its bit. Not an
    /// array of optionals: the metadata of its storage, made at the first use, cost 44,000
    /// instructions of `famctl list`'s 1.7 M; an array of strings costs none.
    private var given: [String]
    private var present: UInt64 = 0
    private(set) var positionals: [String] = []

    /// nil when argument-parser must read `arguments`.
    init?(_ arguments: ArraySlice<String>, options: [Option], positionals allowed: Bool) {
        precondition(options.count <= UInt64.bitWidth, "a command has more options than QuickArguments tracks")
        self.options = options
        given = Array(repeating: "", count: options.count)
        let dash = UInt8(ascii: "-")
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            let bytes = argument.utf8
            if bytes.starts(with: [dash, dash]) {
                let body = bytes.dropFirst(2)
                let equals = body.firstIndex(of: UInt8(ascii: "="))
                let name = body[..<(equals ?? body.endIndex)]
                guard let index = options.firstIndex(where: { $0.long.utf8.elementsEqual(name) }) else { return nil }
                let value = equals.map { body[body.index(after: $0)...] }
                guard value.map(Self.startsApart) ?? true else { return nil }
                guard set(index, inline: value.map { String(Substring($0)) }, rest: &rest) else { return nil }
            } else if bytes.first == dash && bytes.count > 1 {
                let letters = bytes.dropFirst()
                guard let first = options.firstIndex(where: { $0.letter == letters.first }) else { return nil }
                if options[first].takesValue {
                    let joined = letters.dropFirst()
                    // `-m=famfs` argument-parser may read otherwise: leave it to it.
                    guard joined.isEmpty || (options[first].joined && joined.first != UInt8(ascii: "=") && Self.startsApart(joined)) else {
                        return nil
                    }
                    guard set(first, inline: joined.isEmpty ? nil : String(Substring(joined)), rest: &rest) else { return nil }
                } else {
                    for letter in letters {
                        guard let index = options.firstIndex(where: { $0.letter == letter }), !options[index].takesValue,
                            set(index, inline: nil, rest: &rest)
                        else { return nil }
                    }
                }
            } else {
                // `help` after a command is argument-parser's too.
                guard allowed, !bytes.isEmpty, !bytes.elementsEqual([dash]), !bytes.elementsEqual("help".utf8) else { return nil }
                positionals.append(argument)
            }
        }
    }

    /// Whether `value`, which follows an option's name or letter in one argument, starts a
    /// Character of its own (an ASCII byte, or nothing), as argument-parser reads it. Option
    /// names and letters are ASCII, so a byte beyond ASCII in one already fails to match; but a
    /// combining mark after `=` or a letter would join it (`=\u{301}` is one Character).
    private static func startsApart(_ value: Substring.UTF8View) -> Bool { value.first.map { $0 < 0x80 } ?? true }

    /// Records option `index`: a flag, or a value `inline` or taken from `rest`. False when
    /// argument-parser must decide (a repeat, a missing, empty or dash-led value).
    private mutating func set(_ index: Int, inline: String?, rest: inout ArraySlice<String>) -> Bool {
        let exclusive = options[index].exclusive
        guard !isGiven(index),
            exclusive == nil || !options.indices.contains(where: { options[$0].exclusive == exclusive && isGiven($0) })
        else { return false }
        present |= 1 << index
        guard options[index].takesValue else { return inline == nil }
        guard let value = inline ?? rest.popFirst(), let first = value.utf8.first, first != UInt8(ascii: "-") else { return false }
        given[index] = value
        return true
    }

    private func isGiven(_ index: Int) -> Bool { present & 1 << index != 0 }

    /// Whether the command's table has the option named `long`.
    func declares(_ long: String) -> Bool { options.contains { $0.long == long } }

    /// Whether the flag named `long` was given.
    func flag(_ long: String) -> Bool { value(long) != nil }

    /// The value of the option named `long`, nil when not given.
    func value(_ long: String) -> String? {
        guard let index = options.firstIndex(where: { $0.long == long }) else {
            preconditionFailure("--\(long) is not in the command's quick options")
        }
        return isGiven(index) ? given[index] : nil
    }
}
