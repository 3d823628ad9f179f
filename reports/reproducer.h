/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_REPRODUCER_H
#define PINBENCH_REPRODUCER_H

#include <stdio.h>

#include "db/db.h"

/*
 * The "reproduce" part of a comparison report, from what the database
 * stored with the two runs: the pinbench command that made them, each
 * kernel's source, .config hash and artifact key, the parts of config.ini
 * that shaped the runs, and the fio command line of every job. Lines stay
 * within REPORT_WIDTH. Returns -1 on a database error.
 */
int reproducer_print(struct db *db, long long run_a, long long run_b, FILE *out);

#endif
