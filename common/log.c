// SPDX-License-Identifier: GPL-2.0-only
#include "common/log.h"

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

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one write per line so interleaved output from children stays readable */
	fprintf(stderr, "pinbench: %s%s\n", prefix, msg);
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
