/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_UNTRUSTED_H
#define PINBENCH_UNTRUSTED_H

#include <stddef.h>

#include "common/strbuf.h"

/*
 * Text from outside — a patch's subject or author, a mail address, a
 * guest's message, a file name from a config — is never printed raw: a CR
 * could overwrite the line before it, an escape sequence could drive the
 * terminal. These are the one place that makes such text safe to show.
 */

/*
 * Length (1-4) of the valid UTF-8 sequence at s, with its code point in
 * *cp; 0 for a stray byte, an overlong form, a surrogate or anything past
 * U+10FFFF. s must be NUL-terminated.
 */
size_t utf8_seq(const unsigned char *s, unsigned *cp);

/* A printable code point: not C0, DEL or C1. */
int utf8_printable(unsigned cp);

/*
 * Append str as one line of text for a terminal, a report or a header:
 * C0, DEL and C1 controls dropped (CR and LF with them), runs of spaces
 * and tabs made one space, the ends trimmed, invalid UTF-8 replaced by
 * U+FFFD. NULL appends nothing.
 */
void strbuf_add_clean_line(struct strbuf *sb, const char *str);

/*
 * Append str for a one-line log message with every byte kept visible:
 * controls and bytes that are not UTF-8 as \xNN, cut after max bytes of
 * input with "..." (0: no limit).
 */
void strbuf_add_escaped(struct strbuf *sb, const char *str, size_t max);

/*
 * sb reset to str escaped as above and cut at 160 bytes; returns sb->buf,
 * for a "%s" argument: error("bad name '%s'", untrusted(&sb, name)).
 */
const char *untrusted(struct strbuf *sb, const char *str);

#endif
