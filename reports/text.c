// SPDX-License-Identifier: GPL-2.0-only
/* Plain-text layout shared by the reports. */
#include <string.h>

#include "reports/text.h"

void text_put_folded(const char *line, size_t indent, size_t width, FILE *out)
{
	size_t len = strlen(line), cont = indent + 4 < width / 2 ? indent + 4 : indent;

	while (len + indent > width) {
		size_t room = width - indent, cut = room;

		/* break after a space or comma in the right half, else cut the word */
		while (cut > room / 2 && line[cut - 1] != ' ' && line[cut - 1] != ',')
			cut--;
		if (cut == room / 2)
			cut = room;
		/* the space a line breaks at is not printed */
		fprintf(out, "%*s%.*s\n", (int)indent, "",
			(int)(line[cut - 1] == ' ' ? cut - 1 : cut), line);
		line += cut;
		len -= cut;
		indent = cont;
	}
	fprintf(out, "%*s%s\n", (int)indent, "", line);
}
