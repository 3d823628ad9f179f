// SPDX-License-Identifier: GPL-2.0-only
#include "common/log.h"
#include "common/untrusted.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int quiet;

void log_set_quiet(int q)
{
	quiet = q;
}

const char *errstr(void)
{
	return strerror(errno);
}

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];
	struct strbuf line = STRBUF_INIT;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/*
	 * Messages quote outside text (a patch subject, a guest's message): a
	 * CR or an escape sequence in it must not reach the terminal, so the
	 * whole line is escaped here, whatever its callers did.
	 */
	strbuf_add_escaped(&line, msg, 0);
	/* one write per line so interleaved output from children stays readable */
	fprintf(stderr, "pinbench: %s%s\n", prefix, line.buf);
	strbuf_release(&line);
}

int error(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
	errno = saved;
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}
