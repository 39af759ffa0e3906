// SPDX-License-Identifier: Apache-2.0
// CRC-32/ISO-HDLC by folding with carry-less multiplication (Intel's "Fast CRC Computation
// for Generic Polynomials Using PCLMULQDQ"). The log CRCs dominate fsck on a full log; this
// runs several times faster than zlib's table-driven crc32 on the 536-byte entries.
//
// The constants are powers of x modulo the bit-reflected polynomial 0x1db710641:
//   fold4_*: x^(4*128+32) and x^(4*128-32)  (fold 512 bits ahead)
//   fold1_*: x^(128+32) and x^(128-32)      (fold 128 bits ahead)
//   fold64:  x^64                             (128 -> 64 bits)
//   barrett: the polynomial P' and mu = floor(x^64 / P') for the final reduction

#include "cfamfs.h"

#include <pthread.h>
#include <string.h>

// Tables for 8 bytes at a time (slicing-by-8; table[0] alone is the byte-at-a-time one): the
// tail of the fold (fewer than 16 bytes: 8 of a log entry's 536), inputs under 64 bytes, and
// the whole CRC where the CPU cannot fold.
static uint32_t byte_table[8][256];
// Whether cfamfs_crc32_any folds, and whether the fold may use 512-bit registers (decided
// once, with the table).
static int folding, wide;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

// Filled on the first CRC, not by a constructor: every famctl start would pay for it (and
// fault in the table's pages), though only the famfs commands checksum anything.
static void fill_byte_table(void) {
    folding = cfamfs_crc32_fold_available();
    wide = cfamfs_crc32_wide_available();
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        byte_table[0][n] = c;
    }
    for (int t = 1; t < 8; t++) {
        for (uint32_t n = 0; n < 256; n++) {
            uint32_t previous = byte_table[t - 1][n];
            byte_table[t][n] = (previous >> 8) ^ byte_table[0][previous & 0xff];
        }
    }
}

static inline void crc32_ready(void) { pthread_once(&table_once, fill_byte_table); }

static uint32_t crc32_bytes(uint32_t state, const unsigned char *bytes, size_t length) {
    for (; length >= 8; length -= 8, bytes += 8) {
        // Little-endian: the first byte is the lowest of the word.
        uint64_t word = (uint64_t)bytes[0] | (uint64_t)bytes[1] << 8 | (uint64_t)bytes[2] << 16 | (uint64_t)bytes[3] << 24
            | (uint64_t)bytes[4] << 32 | (uint64_t)bytes[5] << 40 | (uint64_t)bytes[6] << 48 | (uint64_t)bytes[7] << 56;
        word ^= state;
        state = byte_table[7][word & 0xff] ^ byte_table[6][(word >> 8) & 0xff] ^ byte_table[5][(word >> 16) & 0xff]
            ^ byte_table[4][(word >> 24) & 0xff] ^ byte_table[3][(word >> 32) & 0xff] ^ byte_table[2][(word >> 40) & 0xff]
            ^ byte_table[1][(word >> 48) & 0xff] ^ byte_table[0][word >> 56];
    }
    while (length--) state = byte_table[0][(state ^ *bytes++) & 0xff] ^ (state >> 8);
    return state;
}

#if defined(__x86_64__)
#include <immintrin.h>

static const uint64_t fold4_lo = 0x0154442bd4, fold4_hi = 0x01c6e41596;
static const uint64_t fold1_lo = 0x01751997d0, fold1_hi = 0x00ccaa009e;
static const uint64_t fold64 = 0x0163cd6124;
static const uint64_t barrett_poly = 0x01db710641, barrett_mu = 0x01f7011641;

int cfamfs_crc32_fold_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}

// a * k.lo ^ a.hi * k.hi ^ next: one 128-bit fold step.
__attribute__((target("pclmul,sse4.1")))
static inline __m128i fold(__m128i a, __m128i k, __m128i next) {
    __m128i low = _mm_clmulepi64_si128(a, k, 0x00);
    __m128i high = _mm_clmulepi64_si128(a, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

// One 16-byte block of `bytes` at `offset`, also stored to `copy` unless it is NULL. A copy
// stored from the registers the fold loads is never read back: a load of bytes just stored
// by memcpy's wider stores stalls on store forwarding, which cost more than the CRC itself.
__attribute__((target("sse4.1"), always_inline))
static inline __m128i load16(const unsigned char *bytes, unsigned char *copy, size_t offset) {
    __m128i block = _mm_loadu_si128((const __m128i *)(bytes + offset));
    if (copy != NULL) _mm_storeu_si128((__m128i *)(copy + offset), block);
    return block;
}

// Folds the 16-byte blocks of `bytes` from `offset` to `length` (a multiple of 16) into `a`,
// storing them to `copy` unless it is NULL, then reduces the 128-bit register to the
// inverted CRC register.
__attribute__((target("pclmul,sse4.1"), always_inline))
static inline uint32_t fold_tail(__m128i a, const unsigned char *bytes, size_t offset, size_t length, unsigned char *copy) {
    const __m128i k1 = _mm_set_epi64x((long long)fold1_hi, (long long)fold1_lo);
    for (; offset < length; offset += 16) {
        a = fold(a, k1, load16(bytes, copy, offset));
    }

    // 128 -> 96 -> 64 bits.
    const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
    a = _mm_xor_si128(_mm_srli_si128(a, 8), _mm_clmulepi64_si128(a, k1, 0x10));
    const __m128i k64 = _mm_set_epi64x(0, (long long)fold64);
    a = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(a, low32), k64, 0x00), _mm_srli_si128(a, 4));

    // Barrett reduction to the 32-bit remainder.
    const __m128i barrett = _mm_set_epi64x((long long)barrett_mu, (long long)barrett_poly);
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(a, low32), barrett, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), barrett, 0x00);
    a = _mm_xor_si128(a, t);
    return (uint32_t)_mm_extract_epi32(a, 1);
}

// The four lanes of a fold over the whole 64-byte blocks of `bytes` (`length` at least 64),
// starting from the inverted CRC register `state` and storing each block to `copy` unless it
// is NULL, combined into one register.
__attribute__((target("pclmul,sse4.1"), always_inline))
static inline __m128i fold_lanes(uint32_t state, const unsigned char *bytes, size_t length, unsigned char *copy) {
    __m128i a = _mm_xor_si128(load16(bytes, copy, 0), _mm_cvtsi32_si128((int)state));
    __m128i b = load16(bytes, copy, 16);
    __m128i c = load16(bytes, copy, 32);
    __m128i d = load16(bytes, copy, 48);

    const __m128i k4 = _mm_set_epi64x((long long)fold4_hi, (long long)fold4_lo);
    for (size_t offset = 64; length - offset >= 64; offset += 64) {
        a = fold(a, k4, load16(bytes, copy, offset));
        b = fold(b, k4, load16(bytes, copy, offset + 16));
        c = fold(c, k4, load16(bytes, copy, offset + 32));
        d = fold(d, k4, load16(bytes, copy, offset + 48));
    }

    const __m128i k1 = _mm_set_epi64x((long long)fold1_hi, (long long)fold1_lo);
    a = fold(a, k1, b);
    a = fold(a, k1, c);
    return fold(a, k1, d);
}

// Folds whole 16-byte blocks (length a multiple of 16, at least 64) into the inverted
// CRC register `state`.
__attribute__((target("pclmul,sse4.1")))
static uint32_t fold_blocks(uint32_t state, const unsigned char *bytes, size_t length) {
    return fold_tail(fold_lanes(state, bytes, length, NULL), bytes, length & ~(size_t)63, length, NULL);
}

// The end of a copying CRC whose 64-byte blocks (the first `head` bytes) are folded into `a`
// and stored: the 16-byte blocks after them folded and stored the same way, the bytes left
// copied, and those under `covered` checksummed from the copy (fewer than 16).
__attribute__((target("pclmul,sse4.1"), always_inline))
static inline uint32_t copy_rest(__m128i a, unsigned char *copy, const unsigned char *bytes, size_t head, size_t covered,
                                 size_t length) {
    size_t blocks = covered & ~(size_t)15;
    uint32_t state = fold_tail(a, bytes, head, blocks, copy);
    memcpy(copy + blocks, bytes + blocks, length - blocks);
    return ~crc32_bytes(state, copy + blocks, covered - blocks);
}

// cfamfs_crc32_copy by the 128-bit fold (`covered` at least 64).
__attribute__((target("pclmul,sse4.1")))
static uint32_t copy_narrow(unsigned char *copy, const unsigned char *bytes, size_t covered, size_t length) {
    return copy_rest(fold_lanes(0xffffffffu, bytes, covered & ~(size_t)15, copy), copy, bytes, covered & ~(size_t)63,
                     covered, length);
}

// The same four lanes at a time, in 512-bit registers (VPCLMULQDQ): a log entry's 536
// bytes take 8 wide folds and a short reduction instead of 33 narrow folds, which are most
// of the CRC's time. Constants as above: x^(2048±32) fold 256 bytes ahead, x^(512±32) one
// 64-byte register into the next, x^(384±32), x^(256±32) and x^(128±32) a register's
// first three lanes into its last.
static const uint64_t fold16_lo = 0x011542778a, fold16_hi = 0x01322d1430;
static const uint64_t fold3_lo = 0x003db1ecdc, fold3_hi = 0x0174359406;
static const uint64_t fold2_lo = 0x00f1da05aa, fold2_hi = 0x015a546366;

__attribute__((target("avx512f,vpclmulqdq")))
static inline __m512i fold_wide(__m512i a, __m512i k, __m512i next) {
    __m512i low = _mm512_clmulepi64_epi128(a, k, 0x00);
    __m512i high = _mm512_clmulepi64_epi128(a, k, 0x11);
    return _mm512_ternarylogic_epi64(low, high, next, 0x96);
}

// One 64-byte block of `bytes` at `offset`, also stored to `copy` unless it is NULL.
__attribute__((target("avx512f"), always_inline))
static inline __m512i load_block(const unsigned char *bytes, unsigned char *copy, size_t offset) {
    __m512i block = _mm512_loadu_si512(bytes + offset);
    if (copy != NULL) _mm512_storeu_si512(copy + offset, block);
    return block;
}

// The 64-byte blocks of `bytes` (`length` a multiple of 64, at least 256) folded into one
// 128-bit register, starting from the inverted CRC register `state`; each block is stored to
// `copy` on the way unless it is NULL (always inlined, so the test is decided at compile time).
__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1"), always_inline))
static inline __m128i fold_wide_blocks(uint32_t state, const unsigned char *bytes, size_t length, unsigned char *copy) {
#define LOAD(offset) load_block(bytes, copy, offset)
    __m512i a = _mm512_xor_si512(LOAD(0), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)state)));
    __m512i b = LOAD(64);
    __m512i c = LOAD(128);
    __m512i d = LOAD(192);
    size_t offset = 256;

    const __m512i k16 = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)fold16_hi, (long long)fold16_lo));
    for (; length - offset >= 256; offset += 256) {
        a = fold_wide(a, k16, LOAD(offset));
        b = fold_wide(b, k16, LOAD(offset + 64));
        c = fold_wide(c, k16, LOAD(offset + 128));
        d = fold_wide(d, k16, LOAD(offset + 192));
    }

    const __m512i k4 = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)fold4_hi, (long long)fold4_lo));
    a = fold_wide(a, k4, b);
    a = fold_wide(a, k4, c);
    a = fold_wide(a, k4, d);
    for (; offset < length; offset += 64) {
        a = fold_wide(a, k4, LOAD(offset));
    }
#undef LOAD

    // Lanes 0, 1 and 2 folded onto lane 3 (lane 3's constant is zero).
    const __m512i lanes = _mm512_set_epi64(0, 0, (long long)fold1_hi, (long long)fold1_lo, (long long)fold2_hi,
                                           (long long)fold2_lo, (long long)fold3_hi, (long long)fold3_lo);
    __m512i t = _mm512_xor_si512(_mm512_clmulepi64_epi128(a, lanes, 0x00), _mm512_clmulepi64_epi128(a, lanes, 0x11));
    return _mm_xor_si128(_mm_xor_si128(_mm512_extracti32x4_epi32(t, 0), _mm512_extracti32x4_epi32(t, 1)),
                         _mm_xor_si128(_mm512_extracti32x4_epi32(t, 2), _mm512_extracti32x4_epi32(a, 3)));
}

// fold_blocks for a length of at least 256.
__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1")))
static uint32_t fold_blocks_wide(uint32_t state, const unsigned char *bytes, size_t length) {
    return fold_tail(fold_wide_blocks(state, bytes, length & ~(size_t)63, NULL), bytes, length & ~(size_t)63, length, NULL);
}

// cfamfs_crc32_copy where the CPU has the wide fold and `covered` is at least 256.
__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1")))
static uint32_t copy_wide(unsigned char *copy, const unsigned char *bytes, size_t covered, size_t length) {
    size_t head = covered & ~(size_t)63;
    return copy_rest(fold_wide_blocks(0xffffffffu, bytes, head, copy), copy, bytes, head, covered, length);
}

int cfamfs_crc32_wide_available(void) {
    __builtin_cpu_init();
    return cfamfs_crc32_fold_available() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("vpclmulqdq");
}

static uint32_t crc32_folded(const unsigned char *bytes, size_t length, int allow_wide) {
    crc32_ready();
    uint32_t state = 0xffffffffu;
    if (length >= 64) {
        size_t blocks = length & ~(size_t)15;
        state = allow_wide && wide && blocks >= 256 ? fold_blocks_wide(state, bytes, blocks)
                                                    : fold_blocks(state, bytes, blocks);
        bytes += blocks;
        length -= blocks;
    }
    return ~crc32_bytes(state, bytes, length);
}

uint32_t cfamfs_crc32(const unsigned char *bytes, size_t length) { return crc32_folded(bytes, length, 1); }

uint32_t cfamfs_crc32_narrow(const unsigned char *bytes, size_t length) { return crc32_folded(bytes, length, 0); }

uint32_t cfamfs_crc32_copy(unsigned char *copy, const unsigned char *bytes, size_t covered, size_t length) {
    crc32_ready();
    if (wide && covered >= 256) return copy_wide(copy, bytes, covered, length);
    if (folding && covered >= 64) return copy_narrow(copy, bytes, covered, length);
    memcpy(copy, bytes, length);
    return cfamfs_crc32_any(copy, covered);
}

#else

int cfamfs_crc32_fold_available(void) { return 0; }

int cfamfs_crc32_wide_available(void) { return 0; }

uint32_t cfamfs_crc32(const unsigned char *bytes, size_t length) {
    (void)bytes;
    (void)length;
    return 0;
}

uint32_t cfamfs_crc32_narrow(const unsigned char *bytes, size_t length) { return cfamfs_crc32(bytes, length); }

uint32_t cfamfs_crc32_copy(unsigned char *copy, const unsigned char *bytes, size_t covered, size_t length) {
    memcpy(copy, bytes, length);
    return cfamfs_crc32_any(copy, covered);
}

#endif

uint32_t cfamfs_crc32_any(const unsigned char *bytes, size_t length) {
    crc32_ready();
    return folding ? cfamfs_crc32(bytes, length) : ~crc32_bytes(0xffffffffu, bytes, length);
}
