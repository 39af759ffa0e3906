// SPDX-License-Identifier: Apache-2.0
/// Replays a log (section 12 of the format spec): every valid MKDIR and FILE entry becomes a
/// directory or file under a root directory — empty placeholders (`--into`) or shadow YAML
/// files (`--shadow`) — or, in a dry run, is only checked and counted. Entries that already
/// exist are counted as existing and left alone, so a second replay creates nothing. Unlike
/// upstream, a bad entry is reported and skipped and the replay goes on.
public struct Logplay {
    public enum Destination: Equatable, Sendable {
        /// Dry run: what a replay into an empty directory would create; nothing is touched.
        case none
        case into(String)
        /// `<dir>/root` receives the tree (created when missing).
        case shadow(String)
    }

    public struct Options: Equatable, Sendable {
        public var destination: Destination
        /// Files without write bits (client hosts, or `--client`).
        public var client: Bool
        public var shadowTest: Bool
        public var verbosity: Int

        public init(destination: Destination, client: Bool = false, shadowTest: Bool = false, verbosity: Int = 0) {
            self.destination = destination
            self.client = client
            self.shadowTest = shadowTest
            self.verbosity = verbosity
        }
    }

    public struct Counts: Equatable, Sendable, Codable {
        public var files = 0
        public var directories = 0

        subscript(kind: Kind) -> Int {
            get { kind == .file ? files : directories }
            set { if kind == .file { files = newValue } else { directories = newValue } }
        }
    }

    public struct Report: Equatable, Sendable {
        public var entries: UInt64 = 0
        public var dryRun = false
        public var shadow = false
        public var created = Counts()
        public var existed = Counts()
        /// Dry run only: what a replay into an empty directory would create.
        public var wouldCreate = Counts()
        public var fileErrors = 0
        public var directoryErrors = 0
        public var badEntries: [LogScan.BadEntry] = []
        public var yamlChecked = 0
        public var yamlErrors = 0

        /// What the exit status counts: bad entries and every failed file, directory or YAML.
        public var errorCount: Int { badEntries.count + fileErrors + directoryErrors + yamlErrors }

        /// The summary lines upstream prints, verbatim, then famctl's own additions.
        public func summary(verbosity: Int, shadowTest: Bool) -> [String] {
            var lines = ["famfs_logplay(\(shadow ? "shadow" : "v1")): \(entries) log entries; "
                + "\(created.files) new files; \(created.directories) new directories"]
            if verbosity > 0 {
                lines.append("\tCreated:  \(created.files) files, \(created.directories) directories")
                lines.append("\tExisted: \(existed.files) files, \(existed.directories) directories")
            }
            if fileErrors > 0 || directoryErrors > 0 {
                lines.append("\t\(fileErrors) file errors and \(directoryErrors) dir errors")
            }
            if !badEntries.isEmpty { lines.append("\t\(badEntries.count) bad log entries skipped") }
            if dryRun { lines.append("\tWould create: \(wouldCreate.files) files, \(wouldCreate.directories) directories") }
            if shadowTest {
                lines.append("\tshadow yaml checked for \(yamlChecked) files")
                lines.append("\tthere were \(yamlErrors) yaml errors detected")
            }
            return lines
        }
    }

    /// A line for the user: `info` to standard output, `error` to standard error.
    public enum Line: Equatable, Sendable {
        case info(String)
        case error(String)
    }

    /// Longest shadow file re-read by `--shadowtest` (a full interleaved document is ~1 KiB).
    static let shadowReadLimit = 64 << 10

    public let options: Options
    private let emit: (Line) -> Void
    private var report = Report()
    private let tree: ReplayTree?
    /// What the entries so far define; every entry is checked against it before the tree.
    private var namespace = Namespace()
    /// The logged path of each file the tree has queued and not reported, by its ticket
    /// modulo `queuedPathSlots` (a path field's room each), for what its outcome reports; and
    /// each path's length. The tree keeps at most a batch and one more outstanding.
    private var queuedPaths = [UInt8](repeating: 0, count: Self.queuedPathSlots * LogEntry.pathFieldSize)
    private var queuedPathLengths = [Int](repeating: 0, count: Self.queuedPathSlots)
    private static let queuedPathSlots = 2 * ReplayTree.batch

    public init(options: Options, emit: @escaping (Line) -> Void) throws(ReplayTreeError) {
        self.options = options
        self.emit = emit
        // -v prints a line as each node is made, and --shadowtest reads each file back: both
        // want every file made before the next entry.
        let batching = options.verbosity == 0 && !options.shadowTest
        switch options.destination {
        case .none:
            tree = nil
            report.dryRun = true
        case .into(let directory):
            tree = try ReplayTree(directory: directory, kind: .placeholders, batching: batching)
        case .shadow(let directory):
            tree = try ReplayTree(directory: directory, child: "root", kind: .shadow, batching: batching)
            report.shadow = true
        }
    }

    /// Replays every slot of `scan` in log order.
    public mutating func run(_ scan: LogScan) -> Report {
        run(header: scan.header) { visit in
            var bad = scan.badEntries[...]
            for entry in scan.entries {
                while let next = bad.first, next.index < entry.seqnum { visit(.bad(bad.removeFirst())) }
                entry.encoded.withUnsafeBytes { visit(.valid(CheckedSlot(bytes: $0), path: nil)) }
            }
            for entry in bad { visit(.bad(entry)) }
        }
    }

    /// Replays every slot of `log` in log order, streaming the log window by window: memory
    /// stays flat whatever its length.
    public mutating func run(_ log: OpenedLog) throws(VolumeError) -> Report {
        namespace.reserve(LogScan.slotsInUse(logLength: log.superblock.logLength, header: log.header))
        return try run(header: log.header) { (visit) throws(VolumeError) in
            do throws(DeviceError) { try LogScan.stream(log.volume, header: log.header, visit: visit) } catch {
                throw .device(error)
            }
        }
    }

    /// The replay of the slots `slots` hands to its visitor in log order.
    private mutating func run<E: Error>(
        header: LogHeader, slots: ((LogScan.Streamed) -> Void) throws(E) -> Void
    ) throws(E) -> Report {
        report.entries = header.nextIndex
        if report.dryRun { emit(.info("Logplay: dry_run selected")) }
        if report.shadow { emit(.info("Logplay: running in shadow test mode")) }
        verbose("__famfs_logplay: log contains \(header.nextIndex) entries")
        // Read once, not from `self` for every entry: each read of the stored property
        // counted a reference to the tree.
        let tree = tree
        do throws(E) {
            try slots { streamed in
                switch streamed {
                case .valid(let slot, let path): replay(slot, path: path, into: tree)
                case .bad(let bad): reportBad(bad)
                case .upcoming(let path): namespace.prefetch(path)
                }
            }
        } catch {
            // The files of the entries before the failure are made, as without the queue.
            settleQueued()
            throw error
        }
        settleQueued()
        for (path, reason) in tree?.finish() ?? [] { fail(.directory, path, reason) }
        for line in report.summary(verbosity: options.verbosity, shadowTest: options.shadowTest) { emit(.info(line)) }
        return report
    }

    private mutating func reportBad(_ bad: LogScan.BadEntry) {
        settleQueued()
        let path = bad.path.map { " (\(FamfsPath.escaped($0)))" } ?? ""
        emit(.error("invalid log entry at index \(bad.index) of \(report.entries)\(path): \(bad.problem); skipped"))
        report.badEntries.append(bad)
    }

    /// Replays one valid slot into `tree` (this replay's); `path` is its logged path as the
    /// stream summarised it. Read in place, path and all: only `-v` and `--shadowtest` decode
    /// the FILE entry (the shadow YAML is written from the slot's bytes). Inlined, like
    /// `place`, into the per-slot loop: called, each copied the entry's body (a twelfth of the
    /// instructions of a full log's dry run).
    @inline(__always)
    private mutating func replay(_ slot: CheckedSlot, path: Namespace.LoggedPath?, into tree: ReplayTree?) {
        switch slot.entryType {
        case .mkdir:
            let (mode, uid, gid, logged) = (slot.mode, slot.uid, slot.gid, path ?? Namespace.LoggedPath(slot.pathBytes))
            verbose("__famfs_logplay: mkdir: \(String(mode, radix: 8)) \(uid):\(gid): \(text(logged.bytes)) ")
            _ = place(nil, .directory, logged, into: tree) { tree, normal, place, new in
                tree.makeDirectory(normal, at: place, new: new, mode: mode, uid: uid, gid: gid)
            }
        case .file:
            if options.verbosity > 0 { describe(slot.seqnum, slot.file) }
            let mode = options.client ? slot.mode & ~0o222 : slot.mode
            let (uid, gid, logged) = (slot.uid, slot.gid, path ?? Namespace.LoggedPath(slot.pathBytes))
            let placed = place(slot.fileSize, .file, logged, into: tree) { tree, normal, place, new in
                tree.makeFile(normal, at: place, new: new, mode: mode, uid: uid, gid: gid) { ShadowYAML.render(slot, into: $0) }
            }
            if let placed, options.shadowTest, tree?.kind == .shadow { checkShadow(logged, at: placed, slot.file) }
        case .addDaxdev, .delete, nil:
            verbose("__famfs_logplay: log entry \(slot.seqnum) of type \(slot.type) ignored")
        }
    }

    enum Kind {
        case file
        case directory
    }

    /// Checks an entry (a file of `size`, or a directory for nil) logged at `logged` against
    /// the log's namespace (the check fsck runs: what it refuses is reported and skipped),
    /// then creates its node (`make` gets the normalised path, its place in the namespace and
    /// whether no earlier entry had it), or in a dry run counts it, and counts the outcome
    /// (a queued file's when the tree makes it); returns its place when the node is there
    /// afterwards (a queued file is not there until it is made).
    @inline(__always)
    private mutating func place(
        _ size: UInt64?, _ kind: Kind, _ logged: Namespace.LoggedPath, into tree: ReplayTree?,
        make: (ReplayTree, UnsafeRawBufferPointer, Namespace.Place, Bool) -> ReplayTree.Outcome
    ) -> Namespace.Place? {
        let path = logged.bytes
        let (outcome, place) = namespace.place(path: logged, file: size)
        if let problem = outcome.problem {
            settleQueued()
            fail(kind, path, problem)
            return nil
        }
        // Safe: the namespace places every path it accepts.
        let accepted = place!
        guard let tree else {
            if outcome == .created {
                report.wouldCreate[kind] += 1
                verbose("__famfs_logplay: would create \(kind) \(text(path))")
            }
            return nil
        }
        let made = Self.normalized(logged, { make(tree, $0, accepted, outcome == .created) })
        guard case .queued(let ticket) = made else {
            settle(tree)
            return record(made, kind, path) ? accepted : nil
        }
        // A logged path fits its field (LogEntry.check found the NUL in it).
        let slot = ticket % Self.queuedPathSlots
        let start = slot * LogEntry.pathFieldSize
        queuedPaths.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[start..<start + path.count]).copyMemory(from: path) }
        queuedPathLengths[slot] = path.count
        return settle(tree, reporting: ticket) ? accepted : nil
    }

    /// Counts what became of the node of an entry logged at `path`, and reports its failure;
    /// returns whether the node is there.
    private mutating func record(_ outcome: ReplayTree.Outcome, _ kind: Kind, _ path: some Collection<UInt8>) -> Bool {
        switch outcome {
        case .created:
            report.created[kind] += 1
            verbose("__famfs_logplay: creating \(kind) \(text(path))")
            return true
        case .existed:
            report.existed[kind] += 1
            return true
        case .failed(let reason):
            fail(kind, path, reason)
            return false
        case .queued:
            preconditionFailure("a queued file's outcome is its flush's")
        }
    }

    /// Records the outcomes of the files `tree` made from its queue since the last call (the
    /// files of earlier entries, and the one queued under `ticket` when it was made at once);
    /// returns whether the file of `ticket` is there.
    @discardableResult
    private mutating func settle(_ tree: ReplayTree, reporting ticket: Int? = nil) -> Bool {
        var there = false
        tree.takeOutcomes { queued, outcome in
            let slot = queued % Self.queuedPathSlots
            let start = slot * LogEntry.pathFieldSize
            let isThere = record(outcome, .file, queuedPaths[start..<start + queuedPathLengths[slot]])
            if queued == ticket { there = isThere }
        }
        return there
    }

    /// Makes the files the tree holds in its queue and records them: before anything is
    /// reported of a later entry, so that lines come in log order.
    private mutating func settleQueued() {
        guard let tree else { return }
        tree.flush()
        settle(tree)
    }

    /// Calls `body` with the normalised path (components joined by `/`) of `logged`, a path
    /// the namespace accepted (so it normalises): in place when the path is normal already
    /// (nearly always), sparing the split and join.
    @inline(__always)
    private static func normalized<R>(_ logged: Namespace.LoggedPath, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard !logged.normal else { return body(logged.bytes) }
        // Safe: an accepted path normalises.
        let components = FamfsPath.normalize(logged: Array(logged.bytes))!
        return Array(components.joined(separator: [FamfsPath.slash])).withUnsafeBytes(body)
    }

    private mutating func checkShadow(_ logged: Namespace.LoggedPath, at place: Namespace.Place, _ file: FileEntry) {
        report.yamlChecked += 1
        let problem: String
        switch Self.normalized(logged, { tree!.read($0, at: place, limit: Self.shadowReadLimit) }) {
        case .success(let bytes):
            let yaml = String(decoding: bytes, as: UTF8.self)
            if options.verbosity > 0 { emit(.info(String(yaml.dropLast(yaml.hasSuffix("\n") ? 1 : 0)))) }
            do throws(ShadowYAMLError) {
                guard try ShadowYAML.parse(yaml) == file else {
                    problem = "shadow yaml differs from the log entry"
                    break
                }
                emit(.info("\(text(file.path)): shadow yaml good!"))
                return
            } catch {
                problem = error.description
            }
        case .failure(let error):
            problem = error.description
        }
        report.yamlErrors += 1
        emit(.error("\(text(file.path)): \(problem)"))
    }

    /// `-v`'s lines of a FILE entry (the caller asks only with `-v`: it decodes the entry).
    private func describe(_ index: UInt64, _ file: FileEntry) {
        verbose("__famfs_logplay: \(index) file=\(text(file.path)) size=\(file.size)")
        switch file.extents {
        case .interleaved(_, let strips):
            verbose("\tniext=1")
            for strip in strips {
                verbose("\t\tstrip: dev=\(strip.deviceIndex) ofs=0x\(hex(strip.offset)) len=0x\(hex(strip.length))")
            }
        case .simple(let extents) where options.verbosity > 1:
            verbose("\tFAMFS_EXT_SIMPLE:")
            for (j, extent) in extents.enumerated() {
                verbose("\text: \(j) tofs=0x\(hex(extent.offset)) len=0x\(hex(extent.length))")
            }
        case .simple:
            break
        }
    }

    private mutating func fail(_ kind: Kind, _ path: some Collection<UInt8>, _ reason: String) {
        if kind == .file { report.fileErrors += 1 } else { report.directoryErrors += 1 }
        emit(.error("\(text(path)): \(reason)"))
    }

    private func verbose(_ line: @autoclosure () -> String) {
        if options.verbosity > 0 { emit(.info(line())) }
    }

    private func text(_ path: some Collection<UInt8>) -> String { FamfsPath.escaped(path) }
}
