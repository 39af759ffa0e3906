import Testing
@testable import DaxKit

@Suite struct LibDaxctlContextTests {
    /// Proves the CDaxctl system library links and runs: libdaxctl succeeds without dax hardware.
    @Test func createsAndFreesAContext() throws {
        let context = try LibDaxctlContext()
        #expect(context.handle != OpaquePointer(bitPattern: 0))
    }
}
