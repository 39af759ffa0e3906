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
        // libblkid's header from util-linux (Debian: libblkid-dev): mkfs probes for other file
        // systems, partition tables and RAID members as mkfs.ext4 and mkfs.xfs do. Not linked
        // (no pkgConfig, whose --libs is -lblkid): mkfs loads the library when it probes.
        .systemLibrary(
            name: "CBlkid",
            providers: [.apt(["libblkid-dev"])]
        ),
        // zlib, whose crc32 upstream famfs uses: the tests' reference for famctl's own CRC-32
        // (CFamfs), which spares every famctl start the loading of zlib.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // C kernels of the format layer: CRC-32 by carry-less multiplication for the log
        // scans, CPU cache write-back for char dax mappings.
        .target(name: "CFamfs"),
        // fallocate and memfd_create, which glibc declares only under _GNU_SOURCE.
        .target(name: "CFamctlPlatform"),
        // What both kits and the commands share, one copy each: the system calls (on
        // swift-system), the Sysfs protocol and its host implementation, dax modes, the JSON
        // writer, the console.
        .target(
            name: "FamctlPlatform",
            dependencies: [
                "CFamctlPlatform",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "FamfsKit",
            dependencies: [
                "CBlkid",
                "CFamfs",
                "FamctlPlatform",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "DaxKit",
            dependencies: [
                "CDaxctl",
                "FamctlPlatform",
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
        // The shipped executable's own start-up: argv kept from glibc's constructor call
        // instead of the Swift runtime's scan of /proc/self/maps.
        .target(name: "CFamctlStart"),
        .executableTarget(
            name: "famctl",
            dependencies: ["FamctlCommands", "CFamctlStart"]
        ),
        // The developer tool (simulated sysfs trees and generated famfs images for the README
        // examples, gen-docs.sh and bench.sh); no product, so `make` (--product famctl) and the
        // .deb leave it out.
        .executableTarget(
            name: "famctl-dev",
            dependencies: [
                "DaxSimulator",
                "FamfsKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The man page renderer gen-docs.sh runs; it takes the EXIT STATUS lists from
        // ExitCodes' table. No product, so `make` and the .deb leave it out.
        .executableTarget(name: "famctl-mangen", dependencies: ["FamctlCommands"]),
        // What the test targets share: the upstream famfs fixtures (as resources) and their
        // reader, and the runner of programs (the built famctl among them).
        .target(
            name: "FamctlTestSupport",
            dependencies: ["CZlib"],
            path: "Tests/FamctlTestSupport",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "FamfsKitTests", dependencies: ["FamfsKit", "CZlib", "FamctlTestSupport"]),
        .testTarget(name: "DaxKitTests", dependencies: ["DaxKit", "DaxSimulator", "CDaxctl", "FamctlTestSupport"]),
        .testTarget(
            name: "FamctlCommandsTests",
            dependencies: ["FamctlCommands", "FamfsKit", "famctl", "CZlib", "DaxSimulator", "FamctlTestSupport"]
        ),
    ]
)
