/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PATCH_INTERNAL_H
#define PINBENCH_PATCH_INTERNAL_H

/* Shared by kernels/patch*.c only: everyone else goes through kernels/patch.h. */
#include <stddef.h>
#include <stdint.h>

#include "kernels/patch.h"

#define NONE SIZE_MAX

void patch_init(struct patch *p);
char *xmemdup(const char *s, size_t len);
const char *skip_space(const char *s);
/* After any number of "Re:" (also "RE:", "Re :"), as mail clients stack them. */
const char *skip_re(const char *s);

#endif
