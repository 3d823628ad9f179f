/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_REPORT_H
#define PINBENCH_REPORT_H

#include <stdio.h>

#include "common/strbuf.h"
#include "db/db.h"
#include "reports/compare.h"

/*
 * The text report of a comparison, as printed by compare and carried by
 * the result mail: the answer first (reports/headline.h), who is compared
 * with whom (each run's kernel, version, machine, devices, command,
 * patches with their Message-IDs), the verdict table (the rows
 * compare_row_shown picks, every row with COMPARE_PRINT_ALL in flags),
 * the settings the verdicts were decided under, each run's pin balance,
 * the machine's A/A noise and the reproducer. Every line fits
 * REPORT_WIDTH; the order is stable, so two reports diff cleanly.
 * Returns -1 on a database error.
 */
int report_text(struct db *db, const struct comparison *c, const char *name_a,
		const char *name_b, unsigned flags, FILE *out);
/*
 * The same comparison as one JSON document: its rows, counts, both pin
 * balances and the settings its verdicts were decided under (null when the
 * comparison predates them). Returns -1 when it cannot be written.
 */
int report_json(const struct comparison *c, FILE *out);

/* The column names: the runs' kernels, or "run N" where those do not tell them apart. */
int report_run_names(struct db *db, long long run_a, long long run_b, struct strbuf *a,
		     struct strbuf *b);

/*
 * What a comparison found, in a few words for a mail's subject: the
 * largest regression as "JOB.METRIC -6.5% regression" (exact counters as
 * "JOB.METRIC +1.00 regression"), else "no regression".
 */
void report_verdict_phrase(const struct comparison *c, struct strbuf *out);

#endif
