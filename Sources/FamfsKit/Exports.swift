// SPDX-License-Identifier: Apache-2.0
// FamfsKit's API takes and returns the platform's types (a `Sysfs`, `JSON`), so its
// clients see them with `import FamfsKit`.
@_exported import FamctlPlatform
