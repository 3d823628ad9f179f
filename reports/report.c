// SPDX-License-Identifier: GPL-2.0-only
/* The text report of a comparison: header, table, noise, reproducer. */
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "reports/noise.h"
#include "reports/report.h"
#include "reports/reproducer.h"
#include "reports/text.h"

static int print_patch(int seq, const char *subject, const char *message_id, void *data)
{
	FILE *out = data;
	struct strbuf line = STRBUF_INIT;

	strbuf_addf(&line, "patch%s: %s", seq ? "" : " (cover)", subject);
	if (*message_id)
		strbuf_addf(&line, " <%s>", message_id);
	text_put_folded(line.buf, 0, REPORT_WIDTH, out);
	strbuf_release(&line);
	return 0;
}

/* A run's header, the lines a comparison needs, folded to 100 columns. */
static int print_run(struct db *db, long long run, const char *name, FILE *out)
{
	static const char *const keep[] = { "run: ", "kernel: ", "kernel version: ", "machine: ",
					    "devices: ", "command: ", NULL };
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, i;
	FILE *mem = open_memstream(&text, &len);
	int ret;

	ret = db_show_run_header(db, run, mem);
	fclose(mem);
	fprintf(out, "%s\n", name);
	for (line = strtok_r(text, "\n", &save); !ret && line; line = strtok_r(NULL, "\n", &save))
		for (i = 0; keep[i]; i++)
			if (!strncmp(line, keep[i], strlen(keep[i])))
				text_put_folded(line, 0, REPORT_WIDTH, out);
	free(text);
	return ret ? -1 : db_run_patches(db, run, print_patch, out);
}

/* Who is compared with whom: each run's kernel, machine, command and patches. */
static int print_header(struct db *db, const struct comparison *c, const char *name_a,
			const char *name_b, FILE *out)
{
	fprintf(out, "pinbench compare: %s (run %lld) against %s (run %lld)\n\n", name_b,
		c->run_b, name_a, c->run_a);
	if (print_run(db, c->run_a, name_a, out) || print_run(db, c->run_b, name_b, out))
		return -1;
	fprintf(out, "\n");
	return 0;
}

int report_text(struct db *db, const struct comparison *c, const char *name_a,
		const char *name_b, const struct compare_opts *o, FILE *out)
{
	if (print_header(db, c, name_a, name_b, out))
		return -1;
	compare_print(c, name_a, name_b, out);
	fprintf(out, "\n");
	if (noise_print_for_comparison(db, c, o->alpha, out))
		return -1;
	fprintf(out, "\n");
	return reproducer_print(db, c->run_a, c->run_b, out);
}

