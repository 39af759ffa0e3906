// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

@Suite struct StartupTests {
    /// Regression (issue 13): linked, libdaxctl brought libkmod, libcrypto, libzstd, liblzma and
    /// libuuid into every start, and the loader bound thousands of their symbols, for commands
    /// that never call libdaxctl; libblkid (mkfs's probe) and zlib (one CRC function) cost
    /// every start ~20 page faults more. The loader's own listing (what ldd prints) of what
    /// famctl loads at start must name none of them; the libdaxctl backend and mkfs load theirs
    /// when they run (LibDaxctlContextTests makes a context through that path; the mkfs
    /// signature tests see libblkid find an ext4).
    @Test func startLoadsNoLibraryOnlySomeCommandsUse() throws {
        let listing = try FamctlBinary.run(["--version"], environment: ["LD_TRACE_LOADED_OBJECTS": "1"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("libc.so.6"), "not the loader's listing: \(listing.stdout)")
        for library in ["libdaxctl", "libkmod", "libcrypto", "libzstd", "liblzma", "libuuid", "libblkid", "libz."] {
            #expect(!listing.stdout.contains(library), "famctl loads \(library) at start: \(listing.stdout)")
        }
    }
}
