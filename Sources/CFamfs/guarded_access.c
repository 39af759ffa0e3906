// SPDX-License-Identifier: Apache-2.0
// Copies to and from mappings that survive the mapping going bad (see cfamfs.h).
//
// A page of a shared file mapping that the file no longer covers (truncated by someone
// else), that the file system cannot give blocks to (full), or whose device went away
// (dax unbind, a shrunken block device) faults with SIGBUS. famctl touches its mappings
// only through these calls: each arms a thread-local jump buffer, does one memcpy or
// memset (or a copy of log slots with their CRCs), and disarms it. The process-wide
// SIGBUS handler, installed once, jumps back when the faulting thread has armed its buffer; the call then reports the failure instead of
// the process dying. A SIGBUS anywhere else (a bug, not a mapping going bad) puts the
// previous disposition back and returns, so the faulting instruction runs again and the
// process dies as it would have without the handler (or the previous handler reports it).
//
// The handler is installed with SA_NODEFER, so jumping out of it leaves SIGBUS unblocked
// and sigsetjmp need not save the signal mask (no system call per copy). Only C frames
// lie between sigsetjmp and the fault, so the jump skips no Swift code.

#include "cfamfs.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

// initial-exec: reading it in the handler allocates nothing (the library is linked into
// the executable). volatile and the barriers keep the stores around the copy in place.
static __thread __attribute__((tls_model("initial-exec"))) sigjmp_buf *volatile armed;
static struct sigaction previous;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void on_sigbus(int signal, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    sigjmp_buf *jump = armed;
    if (jump != NULL) {
        armed = NULL;
        siglongjmp(*jump, 1);
    }
    sigaction(signal, &previous, NULL);
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous);
}

/// What one guarded access does.
struct access {
    void *destination;
    const void *source;
    size_t length;
    unsigned char byte;
    /// Slot mode (cfamfs_guarded_copy_slots): `length` bytes per slot, `count` slots, the
    /// CRC of each slot's first `covered` bytes into `crcs`.
    size_t count, covered;
    uint32_t *crcs;
};

/// The one guarded access: a copy from `source`, a fill with `byte` when it is NULL, or a
/// copy of slots with their CRCs.
static int guarded(const struct access *access) {
    pthread_once(&installed, install);
    sigjmp_buf jump;
    if (sigsetjmp(jump, 0) != 0) return -1;
    armed = &jump;
    __asm__ __volatile__("" ::: "memory");
    if (access->crcs != NULL) {
        // Slot by slot, copy and CRC in one pass: the mapping is read once. The lines of the
        // slot `prefetch_slots` ahead are asked for first: a log's page-cache pages lie
        // scattered in memory, and the hardware prefetcher stops at every 4 KiB page, so
        // without this each page starts with a wait (about a fifth of the pass, measured on
        // a 256 MiB log). A prefetch never faults.
        enum { prefetch_slots = 8 };
        unsigned char *to = access->destination;
        const unsigned char *from = access->source;
        for (size_t i = 0; i < access->count; i++, to += access->length, from += access->length) {
            if (i + prefetch_slots < access->count) {
                const unsigned char *ahead = from + prefetch_slots * access->length;
                for (size_t line = 0; line < access->length; line += 64) __builtin_prefetch(ahead + line);
            }
            access->crcs[i] = cfamfs_crc32_copy(to, from, access->covered, access->length);
        }
    } else if (access->source != NULL) {
        memcpy(access->destination, access->source, access->length);
    } else {
        memset(access->destination, access->byte, access->length);
    }
    __asm__ __volatile__("" ::: "memory");
    armed = NULL;
    return 0;
}

int cfamfs_guarded_copy(void *destination, const void *source, size_t length) {
    struct access access = {.destination = destination, .source = source, .length = length};
    return guarded(&access);
}

int cfamfs_guarded_fill(void *destination, unsigned char byte, size_t length) {
    struct access access = {.destination = destination, .length = length, .byte = byte};
    return guarded(&access);
}

int cfamfs_guarded_copy_slots(void *destination, const void *source, size_t count, size_t slot_size,
                              size_t covered, uint32_t *crcs) {
    struct access access = {
        .destination = destination, .source = source, .length = slot_size, .count = count, .covered = covered,
        .crcs = crcs};
    return guarded(&access);
}
