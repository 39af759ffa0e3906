// SPDX-License-Identifier: Apache-2.0
#ifndef CFAMCTL_PLATFORM_H
#define CFAMCTL_PLATFORM_H

#include <stddef.h>
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

// The calls famctl makes per file or attribute, without glibc's cancellation points. famctl
// never cancels a thread, and once a process has threads (the log scan's workers) each
// cancellable wrapper brackets the call with two atomic operations on the thread's
// cancellation state: a tenth of the user CPU of a full log's logplay --shadow, which opens,
// writes and closes a file per entry. Each returns what the call does, or -1 with errno set.

/// openat(2).
int cfamctl_openat(int directory, const char *path, int flags, unsigned int mode);

/// read(2).
long cfamctl_read(int fd, void *buffer, size_t count);

/// write(2).
long cfamctl_write(int fd, const void *bytes, size_t count);

/// pwrite64(2).
long cfamctl_pwrite(int fd, const void *bytes, size_t count, int64_t offset);

/// close(2).
int cfamctl_close(int fd);

/// close_range(2) (Linux 5.9) of descriptors `first` ... `last`, no flags.
int cfamctl_close_range(unsigned int first, unsigned int last);

#endif
