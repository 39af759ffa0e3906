// SPDX-License-Identifier: Apache-2.0
import DaxKit
import Foundation

/// The simulated machine written to disk, for end-to-end tests of the binary.
extension SimulatedKernel {
    /// Writes the processes and mounts under `directory` as a `/proc` tree: `PID/comm`,
    /// `PID/fd/N` symlinks, `PID/maps`, `self/mountinfo`.
    public func materializeProc(at directory: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory.appendingPathComponent("self"), withIntermediateDirectories: true)
        try Data(mountInfo.map { $0 + "\n" }.joined().utf8).write(to: directory.appendingPathComponent("self/mountinfo"))
        for (pid, process) in processes {
            let base = directory.appendingPathComponent(String(pid))
            try manager.createDirectory(at: base.appendingPathComponent("fd"), withIntermediateDirectories: true)
            try Data((process.command + "\n").utf8).write(to: base.appendingPathComponent("comm"))
            try Data(process.maps.map { $0 + "\n" }.joined().utf8).write(to: base.appendingPathComponent("maps"))
            for (index, descriptor) in process.descriptors.enumerated() {
                try manager.createSymbolicLink(atPath: base.appendingPathComponent("fd/\(index + 3)").path, withDestinationPath: descriptor.target)
            }
        }
    }

    /// Writes the current tree under `directory` (files, directories, relative symlinks), as
    /// a captured `/sys` for `famctl --sysfs-root`.
    public func materialize(at directory: URL) throws {
        render()
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for (path, node) in tree.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(path)
            switch node {
            case .directory:
                try manager.createDirectory(at: url, withIntermediateDirectories: true)
            case .file(let content, _):
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data((content + "\n").utf8).write(to: url)
            case .link(let target):
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.createSymbolicLink(atPath: url.path, withDestinationPath: target)
            }
        }
    }
}
