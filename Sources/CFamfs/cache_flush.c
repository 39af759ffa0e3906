// SPDX-License-Identifier: Apache-2.0
// Cache write-back for char dax mappings (see cfamfs.h).

#include "cfamfs.h"

#if defined(__x86_64__)
#include <immintrin.h>

enum { cache_line = 64 };

// Each returns the number of lines it wrote back: the instructions issued, which tests count.
__attribute__((target("clwb")))
static size_t write_back_clwb(const char *p, const char *end) {
    size_t lines = 0;
    for (; p < end; p += cache_line, lines++) _mm_clwb((void *)p);
    return lines;
}

__attribute__((target("clflushopt")))
static size_t write_back_clflushopt(const char *p, const char *end) {
    size_t lines = 0;
    for (; p < end; p += cache_line, lines++) _mm_clflushopt((void *)p);
    return lines;
}

static size_t write_back_clflush(const char *p, const char *end) {
    size_t lines = 0;
    for (; p < end; p += cache_line, lines++) _mm_clflush(p);
    return lines;
}

size_t cfamfs_flush_cache(const void *bytes, size_t length) {
    if (length == 0) return 0;
    const char *p = (const char *)((uintptr_t)bytes & ~(uintptr_t)(cache_line - 1));
    const char *end = (const char *)bytes + length;
    size_t lines;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("clwb")) {
        lines = write_back_clwb(p, end);
    } else if (__builtin_cpu_supports("clflushopt")) {
        lines = write_back_clflushopt(p, end);
    } else {
        lines = write_back_clflush(p, end);
    }
    _mm_sfence();
    return lines;
}

#else

size_t cfamfs_flush_cache(const void *bytes, size_t length) {
    (void)bytes;
    (void)length;
    __sync_synchronize();
    return 0;
}

#endif
