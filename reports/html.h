/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_HTML_H
#define PINBENCH_HTML_H

#include "common/strbuf.h"

/*
 * HTML for the static site. Everything that comes from outside pinbench
 * (patch subjects and authors, kernel names and versions, job names, host
 * names, log paths, commands) goes through html_escape; the site has no
 * JavaScript, and its pages say so to the browser (a Content-Security-Policy
 * meta tag that allows no script), so escaped text is all a hostile string
 * can ever become.
 */

/* Append s with & < > " ' as entities; control characters other than tab and newline dropped. */
void html_escape(struct strbuf *out, const char *s);
/* <!DOCTYPE html> up to <body>: title (escaped here), the stylesheet, the CSP. */
void html_begin(struct strbuf *out, const char *title);
void html_end(struct strbuf *out);

/* The stylesheet every page links (style.css). */
extern const char html_css[];

#endif
