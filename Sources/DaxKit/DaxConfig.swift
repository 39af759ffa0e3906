// SPDX-License-Identifier: Apache-2.0
/// One `[reconfigure-device <name>]` section of daxctl's persistent configuration
/// (`/etc/daxctl.conf.d/*.conf`): the mode to put the device backed by the nvdimm namespace
/// `uuid` in when `reconfigure-device --check-config` runs for it.
public struct DaxConfigSection: Sendable, Equatable {
    /// The label after `reconfigure-device` (daxctl uses it only to tell sections apart).
    public var name: String
    /// Where the section came from, for messages.
    public var file: String
    /// `nvdimm.uuid`: the namespace the device must be backed by; nil matches nothing.
    public var uuid: String?
    public var options: ReconfigureOptions

    public init(name: String, file: String, uuid: String? = nil,
                options: ReconfigureOptions = ReconfigureOptions(mode: .systemRAM, online: true, movable: true, force: false)) {
        self.name = name
        self.file = file
        self.uuid = uuid
        self.options = options
    }
}

/// A configuration file that cannot be used: named with the file, line and what was expected.
public enum DaxConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    case badLine(file: String, line: Int, text: String)
    case badValue(file: String, line: Int, key: String, value: String, expected: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .badLine(let file, let line, let text):
            return "\(file):\(line): cannot parse '\(text)': expected '[section]', 'key = value' or a comment"
        case .badValue(let file, let line, let key, let value, let expected):
            return "\(file):\(line): invalid \(key) '\(value)': expected \(expected)"
        case .unreadable(let path, let reason):
            return "cannot read configuration \(path): \(reason)"
        }
    }
}

/// daxctl's ini dialect (iniparser): `[section]`, `key = value`, comments starting with `#`
/// or `;` (whole lines, or after an unquoted value), case-insensitive keys; sections other than
/// `reconfigure-device` are ignored (other tools share the files).
public enum DaxConfig {
    public static let defaultDirectory = "/etc/daxctl.conf.d"

    public static func parse(_ text: String, file: String) throws(DaxConfigError) -> [DaxConfigSection] {
        var sections: [DaxConfigSection] = []
        var current: DaxConfigSection?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingWhitespace
            let number = index + 1
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw .badLine(file: file, line: number, text: line) }
                if let current { sections.append(current) }
                let words = line.dropFirst().dropLast().split(separator: " ", maxSplits: 1).map { String($0).trimmingWhitespace }
                current = words.first?.lowercased() == "reconfigure-device" ? DaxConfigSection(name: words.count > 1 ? words[1] : "", file: file) : nil
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw .badLine(file: file, line: number, text: line) }
            let key = String(line[..<equals]).trimmingWhitespace.lowercased()
            let value = unquoted(String(line[line.index(after: equals)...]))
            guard current != nil else { continue }
            func bool() throws(DaxConfigError) -> Bool {
                switch value.lowercased() {
                case "true", "t", "yes", "y", "1": return true
                case "false", "f", "no", "n", "0": return false
                default: throw .badValue(file: file, line: number, key: key, value: value, expected: "true, false, yes, no, 1 or 0")
                }
            }
            switch key {
            case "nvdimm.uuid": current?.uuid = value.lowercased()
            case "mode":
                guard let mode = DaxMode(rawValue: value) else {
                    throw .badValue(file: file, line: number, key: key, value: value,
                                    expected: DaxMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                current?.options.mode = mode
            case "online": current?.options.online = try bool()
            case "movable": current?.options.movable = try bool()
            default: continue
            }
        }
        if let current { sections.append(current) }
        return sections
    }

    /// A value as iniparser (daxctl's parser) reads it: a quoted string as is, otherwise up to
    /// an inline `;` or `#` comment, trimmed.
    static func unquoted(_ text: String) -> String {
        let value = text.trimmingWhitespace
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) {
            if let end = value.dropFirst().firstIndex(of: Character(quote)) { return String(value[value.index(after: value.startIndex)..<end]) }
        }
        return String(value.prefix { $0 != ";" && $0 != "#" }).trimmingWhitespace
    }

    /// Every `*.conf` in `directory` (read through `HostSysfs` rooted there: plain syscalls,
    /// no Foundation), in lexical order; a missing directory holds no sections.
    public static func load(directory: String) throws(DaxConfigError) -> [DaxConfigSection] {
        let files = HostSysfs(root: directory)
        var sections: [DaxConfigSection] = []
        for name in files.list("").filter({ $0.hasSuffix(".conf") }).sorted() {
            let text: String
            do { text = try files.read(name) } catch { throw .unreadable(path: files.root + "/" + name, reason: error.description) }
            sections += try parse(text, file: files.root + "/" + name)
        }
        return sections
    }

    /// The uuid daxctl matches `nvdimm.uuid` against: that of the nd_dax device (the device
    /// directory's parent) claiming an nvdimm namespace, which `ndctl list` shows as the
    /// devdax namespace's `uuid` (the label's own is its `raw_uuid`). nil for devices not
    /// backed by a namespace (hmem, CXL).
    public static func namespaceUUID(of device: DaxDevice, sysfs: Sysfs) -> String? {
        let ndDax = SysfsPath.parent(device.path)
        guard let namespace = try? sysfs.read(ndDax + "/namespace").trimmingWhitespace, !namespace.isEmpty,
              let uuid = try? sysfs.read(ndDax + "/uuid").trimmingWhitespace, !uuid.isEmpty
        else { return nil }
        return uuid.lowercased()
    }

    /// The first section (in file then line order) naming `device`'s namespace.
    public static func section(for device: DaxDevice, sysfs: Sysfs, in sections: [DaxConfigSection]) -> DaxConfigSection? {
        guard let uuid = namespaceUUID(of: device, sysfs: sysfs) else { return nil }
        return sections.first { $0.uuid == uuid }
    }
}
