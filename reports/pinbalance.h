/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PINBALANCE_H
#define PINBENCH_PINBALANCE_H

#include <stddef.h>
#include <stdio.h>

#include "db/db.h"

/*
 * Pin balance of a run, per job: the pins acquired and released over all
 * its measured repetitions (vmstat nr_foll_pin_acquired/_released deltas).
 *
 * A pin taken and never released shows as acquired > released, and the
 * excess grows with the I/O done: more than `tolerance` pins per I/O, in
 * every repetition, is a leak. The other way round is not: since 6.5,
 * folio_add_pin() (used by fs/direct-io.c for the pages it submits) adds a
 * pin without counting it as acquired, while its unpin is counted as
 * released, so a healthy 6.12 releases 2 more pins per legacy direct I/O
 * than it acquires.
 */
struct pin_balance {
	long long job;
	char *job_name;
	double acquired, released, ios;	/* sums over the measured repetitions */
	size_t reps;			/* repetitions with all three counters */
	size_t reps_held;		/* ... of which acquired more than released */
	int leak;
};

struct pin_balances {
	struct pin_balance *v;
	size_t nr, alloc;
};

#define PIN_LEAK_TOLERANCE 0.1	/* pins per I/O: background pinners stay below */

int pin_balance_run(struct db *db, long long run, struct pin_balances *out);
void pin_balances_release(struct pin_balances *b);
/* (acquired - released) per I/O; NAN without I/O. */
double pin_balance_per_io(const struct pin_balance *b);

/*
 * After a run: warn about and store (flag kind "pin_leak") every leaking
 * job. Returns the number of leaking jobs, -1 on a database error.
 */
int pin_balance_flag_leaks(struct db *db, long long run);

/* The balance table of a run for a report, lines <= 100 columns. */
void pin_balance_print(const struct pin_balances *b, const char *name, FILE *out);

#endif
