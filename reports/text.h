/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_TEXT_H
#define PINBENCH_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The width every text report keeps within: mails and terminals. */
#define REPORT_WIDTH 100

/*
 * Print `line` after `indent` spaces, folded at spaces or commas so that
 * no output line is wider than `width`; continuation lines are indented
 * four more. A word longer than the width is cut.
 */
void text_put_folded(const char *line, size_t indent, size_t width, FILE *out);

#endif
