// SPDX-License-Identifier: Apache-2.0
#ifndef CBLKID_SHIM_H
#define CBLKID_SHIM_H
#include <dlfcn.h>
#include <blkid/blkid.h>

/*
 * famctl does not link libblkid: only mkfs probes for other signatures, and a linked library
 * is mapped, relocated and bound at every start of every command. mkfs loads it with
 * cblkid_load and calls it through these pointers, each typed by blkid.h's own declaration,
 * so a changed signature still fails to compile. (A direct call to blkid_* fails to link.)
 */
#define CBLKID_FUNCTIONS(X) \
    X(blkid_new_probe) X(blkid_free_probe) X(blkid_probe_set_device) \
    X(blkid_probe_enable_superblocks) X(blkid_probe_set_superblocks_flags) \
    X(blkid_probe_enable_partitions) X(blkid_do_probe) X(blkid_probe_lookup_value)

struct cblkid_api {
#define CBLKID_FIELD(name) __typeof__(name) *_Nonnull name;
    CBLKID_FUNCTIONS(CBLKID_FIELD)
#undef CBLKID_FIELD
};

/* Loads libblkid.so.1 into *api: 0, or -1 when the library or one of the functions is
 * missing (dlerror() then says which). */
static inline int cblkid_load(struct cblkid_api *_Nonnull api) {
    void *handle = dlopen("libblkid.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle) return -1;
#define CBLKID_RESOLVE(name) \
    if (!(api->name = (__typeof__(name) *)dlsym(handle, #name))) return -1;
    CBLKID_FUNCTIONS(CBLKID_RESOLVE)
#undef CBLKID_RESOLVE
    return 0;
}
#endif
