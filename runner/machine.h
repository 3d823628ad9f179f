/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_MACHINE_H
#define PINBENCH_MACHINE_H

#include "db/db.h"

/*
 * What machine a run happened on: CPU model, cores, memory, host name, the
 * target kind and the devices used, plus a fingerprint hashed from all of
 * them so that runs on the same machine compare with the same noise level.
 */
struct machine {
	char *hostname;
	char *cpu_model;
	unsigned cores;
	unsigned long long memory_kb;
	char *target_kind;
	char *devices;		/* JSON array */
	char fingerprint[17];
};

/* devices_json: a JSON array describing the devices jobs run on (may be "[]"). */
void machine_probe(struct machine *m, const char *target_kind, const char *devices_json);
void machine_info(const struct machine *m, struct machine_info *out);
void machine_release(struct machine *m);

#endif
