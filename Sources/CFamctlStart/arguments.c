// SPDX-License-Identifier: Apache-2.0
// The command line for Swift's CommandLine, taken where glibc hands it over.
//
// The Swift runtime finds argc and argv on Linux from a static constructor that reads
// /proc/self/maps with sscanf to find the stack and then walks it: about 95,000 instructions
// and a file read at every start, a tenth of a `famctl list` (more under emulation, where
// each distinct instruction is translated first). glibc calls an executable's constructors
// with argc, argv and envp, so this one keeps them, and the two functions below replace the
// runtime's (same names and signatures: the linker then never pulls the runtime's
// CommandLine object out of the static stdlib, and its constructor never runs). famctl is
// built for glibc only (Debian), where this is how every constructor is called.

#include "cfamctl_start.h"

#include <stddef.h>

static char *no_arguments[] = {NULL};
static char **saved_argv = no_arguments;
static int saved_argc;

__attribute__((constructor)) static void keep_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    if (argv != NULL) {
        saved_argv = argv;
        saved_argc = argc;
    }
}

char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    *outArgLen = saved_argc;
    return saved_argv;
}

void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    saved_argv = argv;
    saved_argc = argc;
}
