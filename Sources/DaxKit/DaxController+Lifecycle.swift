// SPDX-License-Identifier: Apache-2.0
import Glibc

/// A device's life apart from mode switches: enable and disable (bind and unbind
/// `device_dax`), and in a dynamic region create, resize and destroy.
extension DaxController {
    // MARK: enable-device / disable-device

    /// Binds `device_dax` to an unbound device.
    public func enable(_ device: DaxDevice) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        if device.state == .bound(.systemRAM) { throw .statusNotApplicable(device: device.name) }
        if let driver = device.state.driver {
            return DeviceReport(device: device, notes: ["\(device.name): already enabled (bound to \(driver))"], changed: false)
        }
        try requireDriver(DaxDriver.deviceDax, for: device)
        try perform(on: device.name) { () throws(StepFailure) in
            try binding.bind(device, to: DaxDriver.deviceDax)
        } rollback: {
            "\(device.name) is still disabled"
        }
        var after = device
        after.state = .bound(.devdax)
        return DeviceReport(device: after, notes: [], changed: true)
    }

    /// Unbinds the driver of a devdax or famfs device.
    public func disable(_ device: DaxDevice) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        if device.state == .bound(.systemRAM) { throw .statusNotApplicable(device: device.name) }
        guard let driver = device.state.driver else {
            return DeviceReport(device: device, notes: ["\(device.name): already disabled"], changed: false)
        }
        let notes = try requireIdle(device)
        try perform(on: device.name) { () throws(StepFailure) in
            try binding.unbind(device, from: driver)
        } rollback: {
            "\(device.name) is still bound to \(driver)"
        }
        var after = device
        after.state = .unbound
        return DeviceReport(device: after, notes: notes, changed: true)
    }

    // MARK: reconfigure-device -s / -a

    /// Sets the alignment and/or size of a disabled device of a dynamic region (daxctl's
    /// `reconfigure-device -s/-a`; docs/sysfs-layout.md, "A region").
    public func resize(_ device: DaxDevice, size: UInt64?, align: UInt64?) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        let regionAttributes = "\(SysfsPath.parent(device.path))/dax_region"
        guard sysfs.exists("\(regionAttributes)/available_size") else { throw .staticRegion(region: device.regionID) }
        if let driver = device.state.driver { throw .mustBeDisabled(device: device.name, driver: driver) }
        var after = device
        try perform(on: device.name) { () throws(StepFailure) in
            if let align {
                try writer.step("\(device.path)/align", String(align))
                after.align = align
            }
            if let size {
                try writer.step("\(device.path)/size", "0x" + String(size, radix: 16))
                after.size = size
            }
        } rollback: {
            after.align == device.align ? "\(device.name) was not changed" : "\(device.name) has the new alignment but its old size"
        }
        return DeviceReport(device: after, notes: [], changed: true)
    }

    // MARK: create-device / destroy-device

    /// Creates a device in a dynamic region (docs/sysfs-layout.md, "A region") and enables it
    /// in devdax mode. On a failure the new device is shrunk to 0 and deleted again.
    public func createDevice(in region: DaxRegion, size: UInt64?, align: UInt64?, mappings: [DaxMapping]) throws(DaxError) -> DeviceReport {
        guard let available = region.availableSize else { throw .staticRegion(region: region.id) }
        let total = mappings.isEmpty ? (size ?? available) : mappings.reduce(0) { $0 + $1.size }
        guard total > 0, total <= available else { throw .noSpace(region: region.id) }
        if let align, align == 0 || total % align != 0 {
            throw .invalidValue(what: "align", value: String(align), expected: "a power of two that divides the size \(total)")
        }
        try requireDriver(DaxDriver.deviceDax, for: DaxDevice(name: "region\(region.id)", regionID: region.id, instance: 0, path: region.path, size: 0, state: .unbound))
        let attributes = "\(region.path)/dax_region"
        let name = try perform(on: "region\(region.id)") { () throws(StepFailure) -> String in
            try writer.step("\(attributes)/create", "1")
            if dryRun { return "dax\(region.id).\((region.devices.map(\.instance).max() ?? -1) + 1)" }
            return try SysfsWriter.step { () throws(SysfsError) in try sysfs.read("\(attributes)/seed") }
        } rollback: {
            "no device was created"
        }
        var device = DaxDevice(name: name, regionID: region.id, instance: DaxDevice.parseName(name)?.instance ?? 0,
                               path: "\(region.path)/\(name)", size: total, align: align, state: .unbound)
        try perform(on: name) { () throws(StepFailure) in
            if let align { try writer.step("\(device.path)/align", String(align)) }
            if mappings.isEmpty {
                try writer.step("\(device.path)/size", "0x" + String(total, radix: 16))
            } else {
                for mapping in mappings {
                    try writer.step("\(device.path)/mapping", "0x\(String(mapping.start, radix: 16))-0x\(String(mapping.end, radix: 16))")
                }
            }
            try binding.bind(device, to: DaxDriver.deviceDax)
        } rollback: {
            try? writer.write("\(device.path)/size", "0")
            try? writer.write("\(attributes)/delete", name)
            return "\(name) was deleted again"
        }
        if !dryRun, let fresh = discovery.device(name, at: device.path) { device = fresh } else { device.state = .bound(.devdax) }
        return DeviceReport(device: device, notes: [], changed: true)
    }

    /// Disables (with `force`), shrinks to 0 and deletes a device (docs/sysfs-layout.md, "A
    /// region"). `daxR.0` cannot be deleted (the kernel says EBUSY): it stays as the region's
    /// size-0 seed, as in daxctl.
    public func destroyDevice(_ device: DaxDevice, force: Bool) throws(DaxError) -> DeviceReport {
        try requireModel(device)
        var notes: [String] = []
        if let driver = device.state.driver {
            guard force else { throw .deviceActive(device: device.name) }
            notes += try requireIdle(device)
            if device.state == .bound(.systemRAM) {
                _ = try reconfigure(device, ReconfigureOptions(mode: .devdax, force: true))
                notes.append("\(device.name): memory offlined and removed")
            }
            try perform(on: device.name) { () throws(StepFailure) in
                try binding.unbind(device, from: device.state == .bound(.systemRAM) ? DaxDriver.deviceDax : driver)
            } rollback: {
                "\(device.name) is still enabled"
            }
        }
        let attributes = "\(SysfsPath.parent(device.path))/dax_region"
        try perform(on: device.name) { () throws(StepFailure) in
            try writer.step("\(device.path)/size", "0")
            do throws(StepFailure) {
                try writer.step("\(attributes)/delete", device.name)
            } catch .sysfs(let error) where error.errno == EBUSY && device.instance == 0 {
                notes.append("\(device.name): the region's first device cannot be deleted; it stays with size 0")
            }
        } rollback: {
            "\(device.name) is disabled but not deleted"
        }
        var after = device
        after.state = .unbound
        after.size = 0
        return DeviceReport(device: after, notes: notes, changed: true)
    }
}
