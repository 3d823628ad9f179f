// SPDX-License-Identifier: GPL-2.0-only
/*
 * db_export: every sample of a run (or of all runs) as JSON or CSV, one row
 * at a time, so that exporting a large database needs no more memory than
 * exporting a small one.
 */
#include "db/db-internal.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"

enum { E_RUN, E_JOB, E_JOB_ID, E_REP, E_METRIC, E_VALUE, E_UNIT };

static int export_json_row(FILE *out, sqlite3_stmt *st, int first)
{
	json_t *value, *row;
	int ret;

	/* NaN and infinities have no JSON spelling: they were not measured values */
	if (sqlite3_column_type(st, E_VALUE) == SQLITE_NULL ||
	    !isfinite(sqlite3_column_double(st, E_VALUE)))
		value = json_null();
	else
		value = json_real(sqlite3_column_double(st, E_VALUE));
	row = json_pack("{s:I, s:s, s:I, s:i, s:s, s:o, s:s}",
			"run", (json_int_t)sqlite3_column_int64(st, E_RUN),
			"job", db_col_text(st, E_JOB),
			"job_id", (json_int_t)sqlite3_column_int64(st, E_JOB_ID),
			"rep", sqlite3_column_int(st, E_REP),
			"metric", db_col_text(st, E_METRIC),
			"value", value,
			"unit", db_col_text(st, E_UNIT));
	if (!row)
		return error("cannot build a json object for metric '%s'",
			     db_col_text(st, E_METRIC));
	fputs(first ? "\n" : ",\n", out);
	ret = json_dumpf(row, out, JSON_COMPACT);
	json_decref(row);
	return ret;
}

/* RFC 4180: quote a field holding a comma, quote or line break; double quotes. */
static void csv_field(FILE *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Shortest of %.15g and %.17g that reads back as the same double. */
static void csv_double(FILE *out, double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, out);
}

static int export_csv_row(FILE *out, sqlite3_stmt *st)
{
	fprintf(out, "%lld,", (long long)sqlite3_column_int64(st, E_RUN));
	csv_field(out, db_col_text(st, E_JOB));
	fprintf(out, ",%d,", sqlite3_column_int(st, E_REP));
	csv_field(out, db_col_text(st, E_METRIC));
	fputc(',', out);
	if (sqlite3_column_type(st, E_VALUE) != SQLITE_NULL)
		csv_double(out, sqlite3_column_double(st, E_VALUE));
	fputc(',', out);
	csv_field(out, db_col_text(st, E_UNIT));
	fputc('\n', out);
	return 0;
}

static int export_rows(struct db *db, sqlite3_stmt *st, enum db_format fmt, FILE *out)
{
	int rc, first = 1;

	if (fmt == DB_FORMAT_JSON)
		fputc('[', out);
	else
		fputs("run,job,rep,metric,value,unit\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fmt == DB_FORMAT_JSON ? export_json_row(out, st, first) :
		    export_csv_row(out, st))
			return -1;
		first = 0;
	}
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot read samples");
	if (fmt == DB_FORMAT_JSON)
		fputs(first ? "]\n" : "\n]\n", out);
	return 0;
}

int db_export(struct db *db, long long run, enum db_format fmt, FILE *out)
{
	sqlite3_stmt *st;
	int ret;

	if (fmt != DB_FORMAT_JSON && fmt != DB_FORMAT_CSV)
		return error("unknown export format %d", (int)fmt);
	if (run && db_need_run(db, run))
		return -1;
	/* a range on the first key column, so one run is an index range scan */
	st = db_stmt(db, STMT_EXPORT,
		"SELECT s.run, j.name, s.job, s.rep, s.metric, s.value, s.unit"
		" FROM sample s JOIN job j ON j.id = s.job"
		" WHERE s.run BETWEEN ?1 AND ?2"
		" ORDER BY s.run, s.job, s.rep, s.metric");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run ? run : INT64_MIN);
	sqlite3_bind_int64(st, 2, run ? run : INT64_MAX);
	ret = export_rows(db, st, fmt, out);
	sqlite3_reset(st);
	if (!ret && (fflush(out) || ferror(out)))
		ret = error("cannot write the export of '%s': %s", db->path, errstr());
	return ret;
}
