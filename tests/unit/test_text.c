// SPDX-License-Identifier: GPL-2.0-only
/* text_put_folded: the width every report line keeps, and nothing lost. */
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "reports/text.h"
#include "tests/tap.h"

static char *fold(const char *line, size_t indent, size_t width)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	text_put_folded(line, indent, width, out);
	fclose(out);
	return text;
}

/* every line within width, none ending in a space, and the words all there in order */
static int well_folded(const char *text, const char *line, size_t width)
{
	struct strbuf joined = STRBUF_INIT, want = STRBUF_INIT;
	const char *p = text;
	int good = 1;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);

		if (len > width || (len && p[len - 1] == ' '))
			good = 0;
		for (; p < nl; p++)
			if (*p != ' ')
				strbuf_addch(&joined, *p);
		p = nl + 1;
	}
	for (p = line; *p; p++)
		if (*p != ' ')
			strbuf_addch(&want, *p);
	good = good && !strcmp(joined.buf, want.buf);
	strbuf_release(&joined);
	strbuf_release(&want);
	return good;
}

int main(void)
{
	const char *cmd = "pinbench compare --config /tmp/some/long/path/config.ini --baseline "
			  "baseline --patch /work/main/examples/patches/0001-fs-direct-io-extra-"
			  "pin-per-page.patch --boots 3 --repetitions 10";
	char word[151], *t;

	t = fold("short line", 4, 100);
	is_str(t, "    short line\n", "a short line is only indented");
	free(t);

	t = fold(cmd, 4, 100);
	ok(well_folded(t, cmd, 100), "a long command: lines <= 100, no trailing space, all words");
	ok(strstr(t, "\n        ") != NULL, "continuations are indented 4 more");
	free(t);

	t = fold(cmd, 0, 40);
	ok(well_folded(t, cmd, 40), "the same at 40 columns");
	free(t);

	memset(word, 'x', 150);
	word[150] = '\0';
	t = fold(word, 2, 60);
	ok(well_folded(t, word, 60), "a word longer than the width is cut, not overflowing");
	free(t);

	t = fold("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a,b,c,d,e,f", 0, 20);
	ok(well_folded(t, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a,b,c,d,e,f", 20),
	   "lists fold after commas");
	free(t);
	return done_testing();
}
