#ifndef CDAXCTL_SHIM_H
#define CDAXCTL_SHIM_H
#include <daxctl/libdaxctl.h>
#endif
