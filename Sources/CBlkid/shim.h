// SPDX-License-Identifier: Apache-2.0
#ifndef CBLKID_SHIM_H
#define CBLKID_SHIM_H
#include <blkid.h>
#endif
