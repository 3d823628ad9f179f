// SPDX-License-Identifier: GPL-2.0-only
#include "runner/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/strbuf.h"

/* First "key : value" line of a /proc file whose key is `key`. */
static char *proc_field(const char *path, const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	char *line, *save = NULL, *found = NULL;

	if (strbuf_read_file(&sb, path, 1 << 20))
		goto out;
	for (line = strtok_r(sb.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		if (!strcmp(trim(line), key)) {
			found = xstrdup(trim(colon + 1));
			break;
		}
	}
out:
	strbuf_release(&sb);
	return found;
}

void machine_probe(struct machine *m, const char *target_kind, const char *devices_json)
{
	struct strbuf fp = STRBUF_INIT;
	char host[256] = "unknown";
	char *mem;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(m, 0, sizeof(*m));
	if (gethostname(host, sizeof(host) - 1))
		strcpy(host, "unknown");
	m->hostname = xstrdup(host);
	m->cpu_model = proc_field("/proc/cpuinfo", "model name");
	if (!m->cpu_model)
		m->cpu_model = xstrdup("unknown");
	m->cores = cores > 0 ? (unsigned)cores : 0;
	mem = proc_field("/proc/meminfo", "MemTotal");
	m->memory_kb = mem ? strtoull(mem, NULL, 10) : 0;
	free(mem);
	m->target_kind = xstrdup(target_kind);
	m->devices = xstrdup(devices_json);

	strbuf_addf(&fp, "%s|%s|%u|%llu|%s|%s", m->hostname, m->cpu_model, m->cores,
		    m->memory_kb, m->target_kind, m->devices);
	hash_hex(fp.buf, m->fingerprint);
	strbuf_release(&fp);
}

void machine_info(const struct machine *m, struct machine_info *out)
{
	out->fingerprint = m->fingerprint;
	out->hostname = m->hostname;
	out->cpu_model = m->cpu_model;
	out->cores = m->cores;
	out->memory_kb = m->memory_kb;
	out->target_kind = m->target_kind;
	out->devices = m->devices;
}

void machine_release(struct machine *m)
{
	free(m->hostname);
	free(m->cpu_model);
	free(m->target_kind);
	free(m->devices);
	memset(m, 0, sizeof(*m));
}
