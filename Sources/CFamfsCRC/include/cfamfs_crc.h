#ifndef CFAMFS_CRC_H
#define CFAMFS_CRC_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU can run cfamfs_crc32_fold (x86-64 with PCLMULQDQ and SSE4.1).
int cfamfs_crc32_fold_available(void);

/// Advances the CRC-32/ISO-HDLC register `state` (the inverted form zlib keeps internally)
/// over `length` bytes by carry-less multiplication folding. `length` must be a multiple
/// of 16 and at least 64; callers finish the tail with zlib's crc32.
uint32_t cfamfs_crc32_fold(uint32_t state, const unsigned char *bytes, size_t length);

#endif
