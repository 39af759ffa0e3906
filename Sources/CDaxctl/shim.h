// SPDX-License-Identifier: Apache-2.0
#ifndef CDAXCTL_SHIM_H
#define CDAXCTL_SHIM_H
#include <dlfcn.h>
#include <daxctl/libdaxctl.h>
/* statfs(2), which Swift's Glibc module leaves out: DaxKit recognises a mounted sysfs by it. */
#include <sys/vfs.h>

/*
 * famctl does not link libdaxctl: linked, it would load libkmod, libcrypto, libzstd, liblzma
 * and libuuid at every start (the dynamic loader binding thousands of their symbols) though
 * only the libdaxctl backend calls into it. The backend loads it with cdaxctl_load and calls
 * it through these pointers, each typed by libdaxctl.h's own declaration, so a changed
 * signature still fails to compile. (A direct call to daxctl_* fails to link.)
 */
#define CDAXCTL_FUNCTIONS(X) \
    X(daxctl_new) X(daxctl_unref) \
    X(daxctl_region_get_first) X(daxctl_region_get_next) X(daxctl_region_get_id) \
    X(daxctl_region_get_path) X(daxctl_region_get_size) X(daxctl_region_get_align) \
    X(daxctl_region_get_available_size) \
    X(daxctl_dev_get_first) X(daxctl_dev_get_next) X(daxctl_dev_get_devname) \
    X(daxctl_dev_get_size) X(daxctl_dev_get_align) X(daxctl_dev_get_target_node) \
    X(daxctl_dev_get_resource) \
    X(daxctl_mapping_get_first) X(daxctl_mapping_get_next) X(daxctl_mapping_get_start) \
    X(daxctl_mapping_get_end) X(daxctl_mapping_get_offset) \
    X(daxctl_dev_disable) X(daxctl_dev_enable_devdax) X(daxctl_dev_enable_ram)

struct cdaxctl_api {
    /* The dlopen handle, for the functions that only some libdaxctl versions export. */
    void *_Nonnull handle;
#define CDAXCTL_FIELD(name) __typeof__(name) *_Nonnull name;
    CDAXCTL_FUNCTIONS(CDAXCTL_FIELD)
#undef CDAXCTL_FIELD
};

/* Loads libdaxctl.so.1 into *api: 0, or -1 when the library or one of the functions is
 * missing (dlerror() then says which). */
static inline int cdaxctl_load(struct cdaxctl_api *_Nonnull api) {
    void *handle = dlopen("libdaxctl.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle) return -1;
    api->handle = handle;
#define CDAXCTL_RESOLVE(name) \
    if (!(api->name = (__typeof__(name) *)dlsym(handle, #name))) return -1;
    CDAXCTL_FUNCTIONS(CDAXCTL_RESOLVE)
#undef CDAXCTL_RESOLVE
    return 0;
}
#endif
