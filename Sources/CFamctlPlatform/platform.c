// SPDX-License-Identifier: Apache-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>

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
