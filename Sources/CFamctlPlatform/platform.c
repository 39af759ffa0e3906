// SPDX-License-Identifier: Apache-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cfamctl_platform.h"

int cfamctl_fallocate(int fd, int mode, int64_t offset, int64_t length) {
    return fallocate(fd, mode, (off_t)offset, (off_t)length);
}

int cfamctl_memfd_create(const char *name, unsigned int flags) {
    return memfd_create(name, flags);
}

long cfamctl_getdents64(int fd, void *buffer, unsigned long length) {
    return (long)getdents64(fd, buffer, length);
}

int cfamctl_openat(int directory, const char *path, int flags, unsigned int mode) {
    return (int)syscall(SYS_openat, directory, path, flags, mode);
}

long cfamctl_read(int fd, void *buffer, size_t count) {
    return syscall(SYS_read, fd, buffer, count);
}

long cfamctl_write(int fd, const void *bytes, size_t count) {
    return syscall(SYS_write, fd, bytes, count);
}

long cfamctl_pwrite(int fd, const void *bytes, size_t count, int64_t offset) {
    return syscall(SYS_pwrite64, fd, bytes, count, offset);
}

int cfamctl_close(int fd) {
    return (int)syscall(SYS_close, fd);
}

int cfamctl_close_range(unsigned int first, unsigned int last) {
    return (int)syscall(SYS_close_range, first, last, 0);
}
