// SPDX-License-Identifier: Apache-2.0
#ifndef CFAMFS_H
#define CFAMFS_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU can run cfamfs_crc32_fold (x86-64 with PCLMULQDQ and SSE4.1).
int cfamfs_crc32_fold_available(void);

/// CRC-32/ISO-HDLC of `length` bytes (the value zlib's crc32(0, bytes, length) returns),
/// by carry-less multiplication folding over whole 16-byte blocks and a table for the
/// tail. Only when cfamfs_crc32_fold_available() says so.
uint32_t cfamfs_crc32(const unsigned char *bytes, size_t length);

/// Whether cfamfs_crc32 folds inputs of 256 bytes or more in 512-bit registers (AVX-512F
/// and VPCLMULQDQ).
int cfamfs_crc32_wide_available(void);

/// cfamfs_crc32 in 128-bit registers only, as on a CPU without VPCLMULQDQ (for tests).
uint32_t cfamfs_crc32_narrow(const unsigned char *bytes, size_t length);

/// cfamfs_crc32 where the CPU folds, a byte-at-a-time table elsewhere: correct on every CPU.
uint32_t cfamfs_crc32_any(const unsigned char *bytes, size_t length);

/// Copies `length` bytes to `copy` (not overlapping `bytes`) and returns the CRC of the first
/// `covered` of them (at most `length`), reading `bytes` once where the CPU folds: the
/// registers it folds are the ones it stores.
uint32_t cfamfs_crc32_copy(unsigned char *copy, const unsigned char *bytes, size_t covered, size_t length);

/// Writes the CPU cache lines covering [bytes, bytes + length) back to memory (clwb,
/// clflushopt or clflush, whichever the CPU has) and fences: how writes to a char dax
/// device become visible to other hosts, which msync cannot do there (device dax has no
/// fsync). Returns the number of lines written back. A fence only (returning 0) on other
/// architectures.
size_t cfamfs_flush_cache(const void *bytes, size_t length);

/// Starts loading the cache line holding `address` without waiting for it (a hint; it
/// never faults): how a scan over a table larger than the caches overlaps its misses.
static inline void cfamfs_prefetch(const void *address) { __builtin_prefetch(address); }

/// memcpy(destination, source, length), where either side may be a mapping of a file or
/// device: returns 0, or -1 when a page of a mapping raised SIGBUS (the file was truncated
/// or could not get blocks, the device went away) and the copy stopped there. Thread-safe;
/// installs famctl's SIGBUS handler on first use (guarded_access.c explains it).
int cfamfs_guarded_copy(void *destination, const void *source, size_t length);

/// memset(destination, byte, length) on a mapping, guarded as cfamfs_guarded_copy.
int cfamfs_guarded_fill(void *destination, unsigned char byte, size_t length);

/// Copies `count` slots of `slot_size` bytes from `source` (a mapping) to `destination` and
/// stores the CRC-32 of each slot's first `covered` bytes in `crcs[i]`, all under one guard:
/// 0, or -1 when a page of the mapping raised SIGBUS (as cfamfs_guarded_copy). How a log
/// scan reads the mapping once and leaves the copy in the cache for the checks that follow.
int cfamfs_guarded_copy_slots(void *destination, const void *source, size_t count, size_t slot_size,
                              size_t covered, uint32_t *crcs);

#endif
