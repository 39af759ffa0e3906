// swift-tools-version: 6.0
// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for famctl's famfs readers: scripts/fuzz.sh builds it with
// `-sanitize=fuzzer,address` and runs it for a bounded time, seeded with the fixtures.
import PackageDescription

let package = Package(
    name: "FamfsFuzz",
    dependencies: [.package(name: "famctl", path: "..")],
    targets: [
        .executableTarget(
            name: "FamfsFuzz",
            dependencies: [.product(name: "FamfsKit", package: "famctl")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
