// swift-tools-version: 6.0
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "famctl",
    products: [
        .executable(name: "famctl", targets: ["famctl"]),
        .library(name: "FamfsKit", targets: ["FamfsKit"]),
        .library(name: "DaxKit", targets: ["DaxKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
    ],
    targets: [
        // libdaxctl's header from ndctl (Debian: libdaxctl-dev). Not linked (no pkgConfig, whose
        // --libs is -ldaxctl): the libdaxctl backend loads the library when it runs (shim.h).
        .systemLibrary(
            name: "CDaxctl",
            providers: [.apt(["libdaxctl-dev", "uuid-dev"])]
        ),
        // libblkid from util-linux (Debian: libblkid-dev): mkfs probes for other file systems,
        // partition tables and RAID members as mkfs.ext4 and mkfs.xfs do.
        .systemLibrary(
            name: "CBlkid",
            pkgConfig: "blkid",
            providers: [.apt(["libblkid-dev"])]
        ),
        // zlib, for the CRC-32 that upstream famfs uses.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // C kernels of the format layer: CRC-32 by carry-less multiplication for the log
        // scans, CPU cache write-back for char dax mappings.
        .target(name: "CFamfs"),
        .target(
            name: "FamfsKit",
            dependencies: [
                "CZlib",
                "CBlkid",
                "CFamfs",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "DaxKit",
            dependencies: [
                "CDaxctl",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // A simulated kernel (dax bus, drivers, memory hotplug) behind DaxKit's Sysfs, for tests.
        .target(name: "DaxSimulator", dependencies: ["DaxKit"]),
        .target(
            name: "FamctlCommands",
            dependencies: [
                "FamfsKit",
                "DaxKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "famctl",
            dependencies: ["FamctlCommands"]
        ),
        // The developer tool (simulated sysfs trees for the README examples); no product, so
        // `make` (--product famctl) and the .deb leave it out.
        .executableTarget(
            name: "famctl-dev",
            dependencies: [
                "DaxSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FamfsKitTests", dependencies: ["FamfsKit", "CZlib"], exclude: ["Fixtures"]),
        .testTarget(name: "DaxKitTests", dependencies: ["DaxKit", "DaxSimulator", "CDaxctl"]),
        .testTarget(
            name: "FamctlCommandsTests",
            dependencies: ["FamctlCommands", "FamfsKit", "famctl", "CZlib", "DaxSimulator"]
        ),
    ]
)
