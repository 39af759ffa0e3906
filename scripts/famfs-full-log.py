#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a metadata-only famfs image whose log is full, for benchmarks.

usage: famfs-full-log.py IMAGE LOG_LEN DEVICE_SIZE [FREE_SLOTS]

The image holds the superblock region and the log (2 MiB + LOG_LEN bytes); the superblock
records DEVICE_SIZE. Every slot is used (all but the last FREE_SLOTS, 0 by default): one
directory per 16 entries, the rest files of 2 MiB, each in its own allocation unit after the
log, so fsck finds no problem.
"""
import struct
import sys
import zlib

MIB = 1 << 20
AU = 2 * MIB


def entry_crc(slot):
    struct.pack_into("<Q", slot, 536, zlib.crc32(slot[:536]))


def main():
    image, log_len, device_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    free = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    last_index = (log_len - 48) // 544 - 1
    slots = last_index + 1 - free
    sb = bytearray(200)
    struct.pack_into("<QQQQQII", sb, 0, 0x87B282FF, 48, 0x200000, log_len, AU, 2, 2)
    sb[48:64] = bytes.fromhex("52d5510272d24d63af86295f02d3abaf")
    sb[64:80] = bytes.fromhex("1017374cfae1418d9a1255fd5404033f")
    sb[80:96] = bytes.fromhex("c0ffee0012344abc8def0123456789ab")
    struct.pack_into("<Q", sb, 96, zlib.crc32(sb[:96]))
    struct.pack_into("<Q", sb, 112, device_size)
    sb[136:136 + 11] = b"/dev/dax0.0"
    if 2 * MIB + log_len + slots * AU > device_size:
        sys.exit(f"device size {device_size} too small for {slots} files")

    log = bytearray(log_len)
    struct.pack_into("<QQQ", log, 0, 0xBADCAFEF00D, log_len, last_index)
    struct.pack_into("<QQQ", log, 24, zlib.crc32(log[:24]), slots, slots)
    offset = 2 * MIB + log_len
    slot = bytearray(544)
    for i in range(slots):
        slot[:] = bytes(544)
        if i % 16 == 0:
            struct.pack_into("<QIIIII", slot, 0, i, 1, 0, 0, 0, 0o755)
            name = b"d%d" % i
            slot[28:28 + len(name)] = name
        else:
            struct.pack_into("<QI4xQIIII", slot, 0, i, 0, AU, 2, 0, 0, 0o644)
            name = b"d%d/f%d" % (i - i % 16, i)
            slot[40:40 + len(name)] = name
            struct.pack_into("<I4xI4xQQQ", slot, 120, 0, 1, 0, offset, AU)
            offset += AU
        entry_crc(slot)
        start = 48 + 544 * i
        log[start:start + 544] = slot
    with open(image, "wb") as out:
        out.write(sb + bytes(2 * MIB - 200))
        out.write(log)


if __name__ == "__main__":
    main()
