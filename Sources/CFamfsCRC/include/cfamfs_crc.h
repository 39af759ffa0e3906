#ifndef CFAMFS_CRC_H
#define CFAMFS_CRC_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU can run cfamfs_crc32_fold (x86-64 with PCLMULQDQ and SSE4.1).
int cfamfs_crc32_fold_available(void);

/// CRC-32/ISO-HDLC of `length` bytes (the value zlib's crc32(0, bytes, length) returns),
/// by carry-less multiplication folding over whole 16-byte blocks and a table for the
/// tail. Only when cfamfs_crc32_fold_available() says so.
uint32_t cfamfs_crc32(const unsigned char *bytes, size_t length);

#endif
