// SPDX-License-Identifier: GPL-2.0-only
#include "kernels/running.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/log.h"

int running_kernel_probe(struct running_kernel *k)
{
	struct utsname u;

	memset(k, 0, sizeof(*k));
	if (uname(&u))
		return error("uname: %s", errstr());
	snprintf(k->release, sizeof(k->release), "%s", u.release);
	snprintf(k->version, sizeof(k->version), "%s", u.version);
	snprintf(k->machine, sizeof(k->machine), "%s", u.machine);
	return 0;
}

void running_kernel_info(const struct running_kernel *k, struct kernel_info *out)
{
	memset(out, 0, sizeof(*out));
	out->name = "host";
	out->source = "running";
	out->release = k->release;
	out->version = k->version;
}
