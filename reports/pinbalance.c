// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pin balance per run: acquired against released pins over the run, and
 * the leaks that shows (see pinbalance.h for why only one sign is a leak).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "reports/pinbalance.h"

static struct pin_balance *job_entry(struct pin_balances *b, const struct db_pin_counts *c)
{
	struct pin_balance *e;

	if (b->nr && b->v[b->nr - 1].job == c->job)
		return &b->v[b->nr - 1];
	if (b->nr == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 16;
		b->v = xrealloc(b->v, b->alloc * sizeof(*b->v));
	}
	e = &b->v[b->nr++];
	memset(e, 0, sizeof(*e));
	e->job = c->job;
	e->job_name = xstrdup(c->job_name);
	return e;
}

static int add_rep(const struct db_pin_counts *c, void *data)
{
	struct pin_balance *e = job_entry(data, c);

	/* a repetition without all three says nothing about the balance */
	if (isnan(c->acquired) || isnan(c->released) || isnan(c->ios) || c->ios <= 0)
		return 0;
	e->acquired += c->acquired;
	e->released += c->released;
	e->ios += c->ios;
	e->reps++;
	e->reps_held += c->acquired > c->released;
	return 0;
}

double pin_balance_per_io(const struct pin_balance *b)
{
	return b->ios > 0 ? (b->acquired - b->released) / b->ios : NAN;
}

int pin_balance_run(struct db *db, long long run, struct pin_balances *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (db_run_pin_counts(db, run, add_rep, out)) {
		pin_balances_release(out);
		return -1;
	}
	for (i = 0; i < out->nr; i++) {
		struct pin_balance *b = &out->v[i];

		b->leak = b->reps && b->reps_held == b->reps &&
			  pin_balance_per_io(b) > PIN_LEAK_TOLERANCE;
	}
	return 0;
}

void pin_balances_release(struct pin_balances *b)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		free(b->v[i].job_name);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

int pin_balance_flag_leaks(struct db *db, long long run)
{
	struct pin_balances b;
	struct strbuf msg = STRBUF_INIT;
	size_t i;
	int leaks = 0;

	if (pin_balance_run(db, run, &b))
		return -1;
	for (i = 0; i < b.nr && leaks >= 0; i++) {
		const struct pin_balance *e = &b.v[i];

		if (!e->leak)
			continue;
		strbuf_reset(&msg);
		strbuf_addf(&msg, "%.0f pins acquired but not released over %.0f I/Os "
			    "(%.2f per I/O, in all %zu repetitions): a pin leak",
			    e->acquired - e->released, e->ios, pin_balance_per_io(e), e->reps);
		warning("run %lld %s: %s", run, e->job_name, msg.buf);
		leaks = db_flag_add(db, run, e->job, "pin_leak", msg.buf) ? -1 : leaks + 1;
	}
	strbuf_release(&msg);
	pin_balances_release(&b);
	return leaks;
}

void pin_balance_print(const struct pin_balances *b, const char *name, FILE *out)
{
	size_t i;

	fprintf(out, "pin balance of %s (over the measured repetitions):\n", name);
	fprintf(out, "  %14s %14s %12s %12s\n", "acquired", "released", "I/Os",
		"net per I/O");
	for (i = 0; i < b->nr; i++) {
		const struct pin_balance *e = &b->v[i];

		fprintf(out, "%s\n", e->job_name);
		if (!e->reps) {
			fprintf(out, "  %14s %14s %12s %12s\n", "-", "-", "-", "unmeasured");
			continue;
		}
		fprintf(out, "  %14.0f %14.0f %12.0f %+12.2f%s\n", e->acquired, e->released, e->ios,
			pin_balance_per_io(e), e->leak ? "  LEAK" : "");
	}
}
