// SPDX-License-Identifier: GPL-2.0-only
#include "common/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

int proc_parse_start_time(const char *stat, unsigned long long *ticks)
{
	/* the command (field 2) is in parentheses and may hold spaces and ')' */
	const char *p = strrchr(stat, ')');
	char *end;
	int field;

	if (!p)
		goto bad;
	/* after ") " comes field 3 (state): skip fields 3 to 21 */
	for (p++, field = 3; field < 22; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	p += strspn(p, " ");
	errno = 0;
	*ticks = strtoull(p, &end, 10);
	if (end == p || errno || (*end && *end != ' ' && *end != '\n'))
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int proc_start_time(pid_t pid, unsigned long long *ticks)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "/proc/%d/stat", (int)pid);
	ret = strbuf_read_file(&sb, path.buf, 4096);
	if (!ret)
		ret = proc_parse_start_time(sb.buf, ticks);
	strbuf_release(&path);
	strbuf_release(&sb);
	return ret;
}
