// SPDX-License-Identifier: Apache-2.0
#ifndef CFAMCTL_START_H
#define CFAMCTL_START_H

/// The runtime's entry points for Swift's CommandLine, which the famctl executable provides
/// itself (arguments.c says why). Not for callers: CommandLine is the interface.
char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen);
void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc);

#endif
