// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read-only queries for the static site (reports/site.c): lists of
 * comparisons and runs, stored verdicts, calibrated noise and the history
 * of one job and metric across runs. Each walks its rows with a callback;
 * the strings live until the callback returns.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "db/db-internal.h"

/* These run once per site generation: prepared here, not cached in db->stmt. */
static int walk(struct db *db, const char *sql, long long key, const char *key2,
		int (*row)(sqlite3_stmt *st, void *fn, void *data), void *fn, void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(db, "cannot read the database for the site");
	if (key)
		sqlite3_bind_int64(st, 1, key);
	if (key2)
		sqlite3_bind_text(st, 2, key2, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = row(st, fn, data);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the database for the site");
	sqlite3_finalize(st);
	return ret;
}

static double real_or_nan(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* --- comparisons ------------------------------------------------------------------ */

static int comparison_row(sqlite3_stmt *st, void *fn, void *data)
{
	struct db_comparison_row r = {
		sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		sqlite3_column_int64(st, 2), db_col_text(st, 3), sqlite3_column_int64(st, 4),
		sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6),
		sqlite3_column_int64(st, 7), db_col_text(st, 8), db_col_text(st, 9),
		db_col_text(st, 10), db_col_text(st, 11), db_col_text(st, 12),
		db_col_text(st, 13), db_col_text(st, 14),
	};

	return ((db_comparison_row_fn)fn)(&r, data);
}

#define COMPARISON_SQL \
	"SELECT c.id, c.run_a, c.run_b, c.decided_at, c.regressions, c.improvements," \
	" c.inconclusive, c.exact_changed, coalesce(ka.name, ''), coalesce(kb.name, '')," \
	" coalesce(ka.release, ''), coalesce(kb.release, ''), coalesce(m.hostname, '')," \
	" coalesce(m.target_kind, ''), coalesce(c.command, '')" \
	" FROM comparison c JOIN run ra ON ra.id = c.run_a JOIN run rb ON rb.id = c.run_b" \
	" LEFT JOIN kernel ka ON ka.id = ra.kernel LEFT JOIN kernel kb ON kb.id = rb.kernel" \
	" LEFT JOIN machine m ON m.id = ra.machine"

int db_list_comparisons(struct db *db, db_comparison_row_fn fn, void *data)
{
	return walk(db, COMPARISON_SQL " ORDER BY c.id DESC", 0, NULL, comparison_row,
		    (void *)fn, data);
}

/* --- runs --------------------------------------------------------------------------- */

static int run_row(sqlite3_stmt *st, void *fn, void *data)
{
	struct db_run_row r = {
		sqlite3_column_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
		db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5), db_col_text(st, 6),
		db_col_text(st, 7), db_col_text(st, 8), db_col_text(st, 9),
	};

	return ((db_run_row_fn)fn)(&r, data);
}

int db_list_run_rows(struct db *db, db_run_row_fn fn, void *data)
{
	return walk(db,
		"SELECT r.id, coalesce(k.name, ''), coalesce(k.release, ''), r.state,"
		" r.started, coalesce(r.finished, ''), coalesce(m.hostname, ''),"
		" coalesce(m.target_kind, ''), coalesce(r.reason, ''), coalesce(r.log, '')"
		" FROM run r LEFT JOIN kernel k ON k.id = r.kernel"
		" LEFT JOIN machine m ON m.id = r.machine ORDER BY r.id DESC",
		0, NULL, run_row, (void *)fn, data);
}

/* --- verdicts ----------------------------------------------------------------------- */

static int verdict_row(sqlite3_stmt *st, void *fn, void *data)
{
	struct db_verdict_row r = {
		sqlite3_column_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
		db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5), db_col_text(st, 6),
		real_or_nan(st, 7), real_or_nan(st, 8), real_or_nan(st, 9), real_or_nan(st, 10),
		real_or_nan(st, 11), real_or_nan(st, 12), real_or_nan(st, 13),
		real_or_nan(st, 14), sqlite3_column_int64(st, 15), sqlite3_column_int64(st, 16),
		sqlite3_column_int64(st, 17),
	};

	return ((db_verdict_row_fn)fn)(&r, data);
}

int db_comparison_verdicts(struct db *db, long long comparison, db_verdict_row_fn fn,
			   void *data)
{
	return walk(db,
		"SELECT v.job, j.name, j.hash, v.metric, coalesce(m.unit, ''), v.kind, v.verdict,"
		" v.median_a, v.median_b, v.ratio, v.ci_lo, v.ci_hi, v.p, v.q, v.delta,"
		" coalesce(v.n_a, 0), coalesce(v.n_b, 0), coalesce(v.reps_needed, 0)"
		" FROM verdict v JOIN job j ON j.id = v.job LEFT JOIN metric m ON m.name = v.metric"
		" WHERE v.comparison = ?1 ORDER BY v.job, v.kind DESC, v.metric",
		comparison, NULL, verdict_row, (void *)fn, data);
}

/* --- noise -------------------------------------------------------------------------- */

static int noise_row(sqlite3_stmt *st, void *fn, void *data)
{
	struct db_noise_row r = {
		sqlite3_column_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
		db_col_text(st, 3), db_col_text(st, 4), sqlite3_column_double(st, 5),
		sqlite3_column_int64(st, 6), db_col_text(st, 7),
	};

	return ((db_noise_row_fn)fn)(&r, data);
}

int db_list_noise(struct db *db, db_noise_row_fn fn, void *data)
{
	/* the newest calibration of each machine, job and IOPS metric */
	return walk(db,
		"SELECT n.machine, coalesce(m.hostname, ''), coalesce(m.target_kind, ''), j.name,"
		" n.metric, n.cv, n.n, n.measured_at FROM noise n"
		" JOIN machine m ON m.id = n.machine JOIN job j ON j.id = n.job"
		" WHERE n.metric LIKE 'fio.%.iops' AND n.id = (SELECT max(id) FROM noise x"
		"   WHERE x.machine = n.machine AND x.job = n.job AND x.metric = n.metric)"
		" ORDER BY n.machine, j.name, n.metric",
		0, NULL, noise_row, (void *)fn, data);
}

/* --- series worth a history page --------------------------------------------------- */

static int series_key_row(sqlite3_stmt *st, void *fn, void *data)
{
	return ((db_series_key_fn)fn)(sqlite3_column_int64(st, 0), db_col_text(st, 1),
				      db_col_text(st, 2), db_col_text(st, 3), db_col_text(st, 4),
				      data);
}

int db_list_series_keys(struct db *db, db_series_key_fn fn, void *data)
{
	return walk(db,
		/* jobs x known key metrics, each probed in the series index */
		"SELECT j.id, j.name, j.hash, m.name, m.unit FROM job j JOIN metric m"
		" WHERE (m.name LIKE 'fio.%.iops' OR m.name LIKE 'fio.%.clat_p99_ns'"
		"   OR m.name LIKE 'pin.%_per_io')"
		" AND EXISTS (SELECT 1 FROM sample s WHERE s.job = j.id AND s.metric = m.name"
		"   AND s.rep >= 1)"
		" ORDER BY j.name, m.name",
		0, NULL, series_key_row, (void *)fn, data);
}

/* --- history of one job x metric --------------------------------------------------- */

struct history_acc {
	db_history_fn fn;
	void *data;
	struct db_history_point p;
	struct strbuf kernel, release, started;
	double *v;
	size_t n, alloc;
	int ret;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void history_flush(struct history_acc *h)
{
	if (!h->n || h->ret)
		return;
	qsort(h->v, h->n, sizeof(*h->v), cmp_double);
	h->p.kernel = h->kernel.buf;
	h->p.release = h->release.buf;
	h->p.started = h->started.buf;
	h->p.n = h->n;
	h->p.min = h->v[0];
	h->p.max = h->v[h->n - 1];
	h->p.median = h->n % 2 ? h->v[h->n / 2] : (h->v[h->n / 2 - 1] + h->v[h->n / 2]) / 2;
	h->ret = h->fn(&h->p, h->data);
	h->n = 0;
}

static int history_row(sqlite3_stmt *st, void *fn, void *data)
{
	struct history_acc *h = data;
	long long run = sqlite3_column_int64(st, 0);

	(void)fn;
	if (h->n && run != h->p.run)
		history_flush(h);
	if (h->ret)
		return h->ret;
	if (!h->n) {
		h->p.run = run;
		strbuf_reset(&h->kernel);
		strbuf_addstr(&h->kernel, db_col_text(st, 1));
		strbuf_reset(&h->release);
		strbuf_addstr(&h->release, db_col_text(st, 2));
		strbuf_reset(&h->started);
		strbuf_addstr(&h->started, db_col_text(st, 3));
		h->p.regression = sqlite3_column_int(st, 5);
	}
	if (h->n == h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 16;
		h->v = xrealloc(h->v, h->alloc * sizeof(*h->v));
	}
	h->v[h->n++] = sqlite3_column_double(st, 4);
	return 0;
}

int db_job_metric_history(struct db *db, long long job, const char *metric, db_history_fn fn,
			  void *data)
{
	struct history_acc h = { .fn = fn, .data = data, .kernel = STRBUF_INIT,
				 .release = STRBUF_INIT, .started = STRBUF_INIT };
	int ret;

	ret = walk(db,
		"SELECT s.run, coalesce(k.name, ''), coalesce(k.release, ''), r.started, s.value,"
		" EXISTS (SELECT 1 FROM comparison c JOIN verdict v ON v.comparison = c.id"
		"   WHERE c.run_b = s.run AND v.job = s.job AND v.metric = s.metric"
		"   AND v.verdict = 'regression')"
		" FROM sample s JOIN run r ON r.id = s.run LEFT JOIN kernel k ON k.id = r.kernel"
		" WHERE s.job = ?1 AND s.metric = ?2 AND s.rep >= 1 AND s.value IS NOT NULL"
		" ORDER BY s.run",
		job, metric, history_row, NULL, &h);
	if (!ret) {
		history_flush(&h);
		ret = h.ret;
	}
	free(h.v);
	strbuf_release(&h.kernel);
	strbuf_release(&h.release);
	strbuf_release(&h.started);
	return ret;
}

int db_prepare_bulk_read(struct db *db)
{
	/*
	 * The site reads most of the database once: map it (up to 1 GiB) and
	 * give the page cache room, instead of a pread() per page through the
	 * default 2 MiB cache.
	 */
	if (sqlite3_exec(db->sql, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536",
			 NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, "cannot set up the database for reading");
	return 0;
}
