/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_SUMMARY_H
#define PINBENCH_SUMMARY_H

#include <stdio.h>

#include "db/db.h"

/*
 * The per-job summary of one run: for each job, median, coefficient of
 * variation and min..max of its key metrics (bandwidth, IOPS, latency
 * percentiles, pins per I/O, CPU time; every metric with `all`), from the
 * stored repetitions, plus the failed repetitions with their messages.
 */
int summary_print(struct db *db, long long run, int all, FILE *out);

/*
 * The factor that shows a stored unit the way people read it (B/s as MiB/s,
 * ns as us) and that unit; other units are shown as stored (factor 1).
 */
double unit_scale(const char *unit, const char **shown);

#endif
