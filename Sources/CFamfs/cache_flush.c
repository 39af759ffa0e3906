// SPDX-License-Identifier: Apache-2.0
// Cache write-back for char dax mappings (see cfamfs.h).

#include "cfamfs.h"

#if defined(__x86_64__)
#include <immintrin.h>

enum { cache_line = 64 };

__attribute__((target("clwb")))
static void write_back_clwb(const char *p, const char *end) {
    for (; p < end; p += cache_line) _mm_clwb((void *)p);
}

__attribute__((target("clflushopt")))
static void write_back_clflushopt(const char *p, const char *end) {
    for (; p < end; p += cache_line) _mm_clflushopt((void *)p);
}

static void write_back_clflush(const char *p, const char *end) {
    for (; p < end; p += cache_line) _mm_clflush(p);
}

void cfamfs_flush_cache(const void *bytes, size_t length) {
    if (length == 0) return;
    const char *p = (const char *)((uintptr_t)bytes & ~(uintptr_t)(cache_line - 1));
    const char *end = (const char *)bytes + length;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("clwb")) {
        write_back_clwb(p, end);
    } else if (__builtin_cpu_supports("clflushopt")) {
        write_back_clflushopt(p, end);
    } else {
        write_back_clflush(p, end);
    }
    _mm_sfence();
}

#else

void cfamfs_flush_cache(const void *bytes, size_t length) {
    (void)bytes;
    (void)length;
    __sync_synchronize();
}

#endif
