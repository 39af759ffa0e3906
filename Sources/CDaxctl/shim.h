// SPDX-License-Identifier: Apache-2.0
#ifndef CDAXCTL_SHIM_H
#define CDAXCTL_SHIM_H
#include <daxctl/libdaxctl.h>
/* statfs(2), which Swift's Glibc module leaves out: DaxKit recognises a mounted sysfs by it. */
#include <sys/vfs.h>
#endif
