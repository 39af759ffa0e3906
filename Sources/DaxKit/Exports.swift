// SPDX-License-Identifier: Apache-2.0
// DaxKit's API takes and throws the platform's types (a `Sysfs`, a `SysfsError`), so its
// clients see them with `import DaxKit`.
@_exported import FamctlPlatform
