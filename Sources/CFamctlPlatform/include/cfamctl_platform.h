// SPDX-License-Identifier: Apache-2.0
#ifndef CFAMCTL_PLATFORM_H
#define CFAMCTL_PLATFORM_H

#include <stdint.h>
#include <linux/falloc.h>
#include <linux/memfd.h>

// glibc declares fallocate, memfd_create and getdents64 only under _GNU_SOURCE, which the
// Glibc module Swift imports is not built with; these wrappers are compiled with it
// (platform.c). The
// flags come from the kernel's uapi headers above: FALLOC_FL_KEEP_SIZE,
// FALLOC_FL_PUNCH_HOLE, MFD_CLOEXEC.

/// fallocate(2): returns 0, or -1 with errno set.
int cfamctl_fallocate(int fd, int mode, int64_t offset, int64_t length);

/// memfd_create(2): returns the descriptor, or -1 with errno set.
int cfamctl_memfd_create(const char *name, unsigned int flags);

/// getdents64(2): fills `buffer` with `struct linux_dirent64` records from the directory's
/// offset; returns the bytes filled (0 at the end), or -1 with errno set.
long cfamctl_getdents64(int fd, void *buffer, unsigned long length);

#endif
