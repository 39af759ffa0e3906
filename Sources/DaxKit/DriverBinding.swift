// SPDX-License-Identifier: Apache-2.0
import Glibc

/// One write famctl makes (or, with `--dry-run`, would make), for logs and dry runs; with
/// the libdaxctl backend, a driver change is the library call that makes its writes.
public struct SysfsWrite: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var value: String
    /// The libdaxctl call (`daxctl_dev_disable(dax0.0)`) made in place of sysfs writes; then
    /// `path` and `value` are empty.
    public var call: String?

    public init(path: String, value: String) {
        self.path = path
        self.value = value
    }

    public init(call: String) {
        self.init(path: "", value: "")
        self.call = call
    }

    /// `echo VALUE > /sys/PATH`, runnable by hand.
    public var description: String { command(root: "/sys") }

    /// `echo VALUE > ROOT/PATH`, runnable by hand, or the libdaxctl call.
    public func command(root: String) -> String { call ?? "echo \(value) > \(SysfsPath.absolute(path, root: root))" }

    /// How a log line names it: "wrote" for a write, "called" for a call.
    public var verb: String { call == nil ? "wrote" : "called" }
}

/// Why one step of a switch did not work.
public enum StepFailure: Error, Sendable, Equatable {
    /// A write failed with an errno.
    case sysfs(SysfsError)
    /// The writes succeeded but the `driver` link is not what it should be.
    case linkMismatch(expected: String?, found: String?, errno: Int32)
    /// A condition found on the way (a block that cannot be found or offlined).
    case refused(DaxError)
}

/// Binds and unbinds dax drivers: the sysfs sequence, or libdaxctl's functions on a host.
public protocol DriverBinding: AnyObject {
    /// Detaches `device` from `driver` (remove_id, unbind) and checks the link is gone.
    func unbind(_ device: DaxDevice, from driver: String) throws(StepFailure)
    /// Attaches `device` to `driver` (new_id, bind) and checks the link names it.
    func bind(_ device: DaxDevice, to driver: String) throws(StepFailure)
}

/// Writes through `Sysfs`, recording each write; with `dryRun` records without writing and
/// assumes each step takes.
public final class SysfsWriter {
    public let sysfs: Sysfs
    public let dryRun: Bool
    public private(set) var writes: [SysfsWrite] = []

    public init(sysfs: Sysfs, dryRun: Bool) {
        self.sysfs = sysfs
        self.dryRun = dryRun
    }

    public func write(_ path: String, _ value: String) throws(SysfsError) {
        writes.append(SysfsWrite(path: path, value: value))
        if !dryRun { try sysfs.write(path, value) }
    }

    /// Records a libdaxctl call the backend makes (or, in a dry run, would make).
    public func record(call: String) {
        writes.append(SysfsWrite(call: call))
    }

    /// `write` as one step of an operation: a failed write is the step's failure.
    func step(_ path: String, _ value: String) throws(StepFailure) {
        try Self.step { () throws(SysfsError) in try write(path, value) }
    }

    /// Runs sysfs operations (a read among the writes) as one step of an operation.
    static func step<T>(_ operations: () throws(SysfsError) -> T) throws(StepFailure) -> T {
        do throws(SysfsError) {
            return try operations()
        } catch {
            throw .sysfs(error)
        }
    }

    /// The basename of the device's `driver` link (nil when unbound).
    public func driver(of device: DaxDevice) -> String? {
        sysfs.readLink("\(device.path)/driver").map(SysfsPath.basename)
    }
}

/// The kernel's own sequence (the kernel's Documentation/ABI/testing/sysfs-bus-dax; each
/// switch's writes in ARCHITECTURE.md): remove_id + unbind, then new_id + bind.
public final class SysfsDriverBinding: DriverBinding {
    public let writer: SysfsWriter
    /// How many times an unbind that reports EBUSY (or does not take) is tried again: a device
    /// can be busy for a moment after famfs is unmounted (famfs's scripts retry 5 times).
    public let busyRetries: Int
    /// The pause before each retry.
    public let retryDelay: Duration

    public init(writer: SysfsWriter, busyRetries: Int = 0, retryDelay: Duration = .seconds(1)) {
        self.writer = writer
        self.busyRetries = busyRetries
        self.retryDelay = retryDelay
    }

    public func unbind(_ device: DaxDevice, from driver: String) throws(StepFailure) {
        let directory = "bus/dax/drivers/\(driver)"
        try writer.step("\(directory)/remove_id", device.name)
        var attempt = 0
        while true {
            let failure: StepFailure
            do throws(StepFailure) {
                try writer.step("\(directory)/unbind", device.name)
                guard !writer.dryRun, let found = writer.driver(of: device) else { return }
                failure = .linkMismatch(expected: nil, found: found, errno: EBUSY)
            } catch {
                failure = error
            }
            let busy: Bool
            switch failure {
            case .linkMismatch(nil, let found, EBUSY): busy = found == driver
            case .sysfs(let error): busy = error.errno == EBUSY
            case .linkMismatch, .refused: busy = false
            }
            guard busy, attempt < busyRetries else {
                // Still bound: give the driver its id back so nothing changed.
                try? writer.write("\(directory)/new_id", device.name)
                throw failure
            }
            attempt += 1
            Self.pause(retryDelay)
        }
    }

    private static func pause(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    public func bind(_ device: DaxDevice, to driver: String) throws(StepFailure) {
        let directory = "bus/dax/drivers/\(driver)"
        try writer.step("\(directory)/new_id", device.name)
        // new_id normally binds at once; bind then reports EBUSY, which is expected.
        var bindError: SysfsError?
        do throws(SysfsError) {
            try writer.write("\(directory)/bind", device.name)
        } catch where error.errno != EBUSY {
            bindError = error
        } catch {}
        guard !writer.dryRun else { return }
        let found = writer.driver(of: device)
        if found != driver {
            try? writer.write("\(directory)/remove_id", device.name)
            if let bindError { throw .sysfs(bindError) }
            throw .linkMismatch(expected: driver, found: found, errno: ENXIO)
        }
    }
}
