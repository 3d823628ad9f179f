/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_SITE_INTERNAL_H
#define PINBENCH_SITE_INTERNAL_H

/* Shared by the site's files only (reports/site.c, reports/site_nightly.c). */

#include "common/strbuf.h"
#include "db/db.h"
#include "reports/site.h"

/* Write dir/name unless it holds content already; counted in st. */
int site_put_file(const char *dir, struct site_stats *st, const char *name,
		  const struct strbuf *content);

/*
 * The nightly part of the site: a page per branch (branch-NAME.html: its
 * nights, its change points with their state and bisection) and the
 * index's section linking them, appended to index.
 */
int site_nightly(struct db *db, const char *dir, struct site_stats *st, struct strbuf *index);

#endif
