/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_KERNELS_RUNNING_H
#define PINBENCH_KERNELS_RUNNING_H

#include "db/db.h"

/*
 * The kernel pinbench itself runs on, for the host target (and, later, the
 * agent inside a guest): release and version from uname(2), recorded as
 * kernel "host" with source "running".
 */
struct running_kernel {
	char release[65];
	char version[65];
	char machine[65];
};

int running_kernel_probe(struct running_kernel *k);
void running_kernel_info(const struct running_kernel *k, struct kernel_info *out);

#endif
