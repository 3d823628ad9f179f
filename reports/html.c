// SPDX-License-Identifier: GPL-2.0-only
/* Escaping and the page frame of the static site. */
#include <string.h>

#include "reports/html.h"

void html_escape(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		case '\'': strbuf_addstr(out, "&#39;"); break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				break;
			if (c == 0x7f)
				break;
			strbuf_addch(out, (char)c);
		}
	}
}

void html_begin(struct strbuf *out, const char *title)
{
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; "
		      "img-src 'self' data:; style-src 'self'; script-src 'none'\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	html_escape(out, title);
	strbuf_addstr(out, "</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n"
		      "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Regressions\" "
		      "href=\"regressions.atom\">\n</head>\n<body>\n"
		      "<p class=\"nav\"><a href=\"index.html\">pinbench</a></p>\n");
}

void html_end(struct strbuf *out)
{
	strbuf_addstr(out, "</body>\n</html>\n");
}

const char html_css[] =
	"body { font: 14px/1.4 sans-serif; margin: 1em 2em; color: #222; }\n"
	"table { border-collapse: collapse; margin: 0.5em 0 1.5em; }\n"
	"th, td { padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left; }\n"
	"td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
	"tr.regression td { background: #fdd; }\n"
	"tr.improvement td { background: #dfd; }\n"
	"tr.leak td { background: #fdd; }\n"
	"pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; }\n"
	"img { max-width: 100%; }\n"
	".nav { font-size: 12px; }\n"
	".bad { color: #b00; font-weight: bold; }\n";
