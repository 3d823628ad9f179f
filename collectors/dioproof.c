// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/dioproof.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strvec.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

#define GROUP		"pinbench"
#define LEGACY_EVENT	"legacy_dio"
#define FS_EVENT	"fs_dio"
#define GROUP_ENABLE	"events/" GROUP "/enable"

/* Both files hold a line per kprobe event of the whole system: a few KiB. */
#define TRACEFS_FILE_MAX (4u << 20)

/*
 * Filesystem types whose address_space_operations.direct_IO ends in
 * blockdev_direct_IO() (checked against fs/ of Linux 6.1 and 6.12). ext2
 * went to iomap in 6.12 and reiserfs is gone from 6.13: there the probe on
 * the method is simply not placed. "ntfs" is left out: on 6.12 it is ntfs3's
 * read-only alias, on older kernels the old driver without ->direct_IO.
 */
static const struct {
	const char *fs;
	const char *method;
} fs_methods[] = {
	{ "vfat",	"fat_direct_IO" },
	{ "vfat-512",	"fat_direct_IO" },	/* vfat with 512-byte clusters */
	{ "msdos",	"fat_direct_IO" },
	{ "exfat",	"exfat_direct_IO" },
	{ "udf",	"udf_direct_IO" },
	{ "hfs",	"hfs_direct_IO" },
	{ "hfsplus",	"hfsplus_direct_IO" },
	{ "jfs",	"jfs_direct_IO" },
	{ "nilfs2",	"nilfs_direct_IO" },
	{ "affs",	"affs_direct_IO" },
	{ "ocfs2",	"ocfs2_direct_IO" },
	{ "ntfs3",	"ntfs_direct_IO" },
	{ "reiserfs",	"reiserfs_direct_IO" },
	{ "ext2",	"ext2_direct_IO" },
};

/*
 * blockdev_direct_IO() is a static inline around __blockdev_direct_IO() in
 * every kernel pinbench builds; the second name is only a fallback.
 */
static const char *const legacy_symbols[] = { "__blockdev_direct_IO", "blockdev_direct_IO" };

const char *dio_fs_method(const char *fs)
{
	size_t i;

	for (i = 0; fs && i < sizeof(fs_methods) / sizeof(fs_methods[0]); i++)
		if (!strcmp(fs_methods[i].fs, fs))
			return fs_methods[i].method;
	return NULL;
}

/* Write text to a tracefs control file: 0, or -1 with errno set. */
static int tracefs_write(const char *dir, const char *file, int flags, const char *text)
{
	struct strbuf path = STRBUF_INIT;
	int fd, ret = -1, saved;

	strbuf_addf(&path, "%s/%s", dir, file);
	fd = open(path.buf, O_WRONLY | O_CLOEXEC | flags);
	if (fd >= 0) {
		ret = write_all(fd, text, strlen(text));
		saved = errno;
		close(fd);
		errno = saved;
	}
	strbuf_release(&path);
	return ret;
}

/* The kprobe_events listing is "p:group/event sym" ("r" or "r<N>" for return probes). */
static void list_group_events(const char *listing, struct strvec *events)
{
	const char *p = listing;

	while (*p) {
		const char *nl = strchrnul(p, '\n');
		const char *colon = memchr(p, ':', (size_t)(nl - p));
		size_t glen = strlen(GROUP);

		if ((*p == 'p' || *p == 'r') && colon && (size_t)(nl - colon - 1) > glen + 1 &&
		    !strncmp(colon + 1, GROUP "/", glen + 1)) {
			const char *ev = colon + 1 + glen + 1;
			size_t n = strcspn(ev, " \t\n");
			char *name = xmalloc(n + 1);

			memcpy(name, ev, n);
			name[n] = '\0';
			if (n && !strvec_contains(events, name))
				strvec_push(events, name);
			free(name);
		}
		p = *nl ? nl + 1 : nl;
	}
}

/*
 * Disable and delete every kprobe event of our group: ours, and whatever a
 * crashed earlier run left behind (a same-named event would otherwise take
 * our probe as a second probe point and add its hits to ours). A deletion
 * that finds nothing (ENOENT) is fine; any other failure leaves a probe
 * behind and is -1 with why filled (when why is not NULL).
 */
static int remove_group(const char *dir, struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT, listing = STRBUF_INIT, cmd = STRBUF_INIT;
	struct strvec events = STRVEC_INIT;
	int ret = 0;
	size_t i;

	/* a probe is busy (EBUSY on deletion) while its event is enabled */
	if (tracefs_write(dir, GROUP_ENABLE, O_TRUNC, "0") && errno != ENOENT) {
		if (why)
			strbuf_addf(why, "cannot disable '%s/%s': %s", dir, GROUP_ENABLE,
				    errstr());
		ret = -1;
	}
	strbuf_addf(&path, "%s/kprobe_events", dir);
	if (!strbuf_read_file(&listing, path.buf, TRACEFS_FILE_MAX))
		list_group_events(listing.buf, &events);
	if (!strvec_contains(&events, LEGACY_EVENT))
		strvec_push(&events, LEGACY_EVENT);
	if (!strvec_contains(&events, FS_EVENT))
		strvec_push(&events, FS_EVENT);
	for (i = 0; i < events.nr; i++) {
		strbuf_reset(&cmd);
		strbuf_addf(&cmd, "-:%s/%s\n", GROUP, events.v[i]);
		if (!tracefs_write(dir, "kprobe_events", O_APPEND, cmd.buf) || errno == ENOENT)
			continue;
		if (why)
			strbuf_addf(why, "%scannot remove kprobe event '%s/%s': %s",
				    ret ? "; " : "", GROUP, events.v[i], errstr());
		ret = -1;
	}
	strvec_clear(&events);
	strbuf_release(&cmd);
	strbuf_release(&listing);
	strbuf_release(&path);
	return ret;
}

/*
 * Create the event on the first of syms this kernel can probe. *placed is a
 * copy of that symbol, NULL when none is there; -1 (with why) only when
 * the kernel refuses for another reason than the symbol (lockdown, memory).
 */
static int place_probe(const char *dir, const char *event, const char *const *syms, size_t nr,
		       char **placed, struct strbuf *why)
{
	struct strbuf cmd = STRBUF_INIT;
	int ret = 0;
	size_t i;

	*placed = NULL;
	for (i = 0; i < nr; i++) {
		strbuf_reset(&cmd);
		strbuf_addf(&cmd, "p:%s/%s %s\n", GROUP, event, syms[i]);
		if (!tracefs_write(dir, "kprobe_events", O_APPEND, cmd.buf)) {
			*placed = xstrdup(syms[i]);
			break;
		}
		/*
		 * No such symbol is EINVAL on 6.12 (parse error "Invalid
		 * probed address or symbol"), ENOENT on 6.1; EADDRNOTAVAIL:
		 * several symbols of that name; EINVAL and EILSEQ also: not
		 * probeable (notrace, blacklisted, bad address).
		 */
		if (errno == ENOENT || errno == EADDRNOTAVAIL || errno == EINVAL ||
		    errno == EILSEQ)
			continue;
		strbuf_addf(why, "cannot create kprobe event '%s/%s' on '%s': %s",
			    GROUP, event, syms[i], errstr());
		ret = -1;
		break;
	}
	strbuf_release(&cmd);
	return ret;
}

static int is_tracefs(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && (unsigned long)st.f_type == TRACEFS_MAGIC;
}

static char *find_tracefs(struct strbuf *why)
{
	static const char *const where[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	size_t i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (is_tracefs(where[i]))
			return xstrdup(where[i]);
	if (mount("nodev", where[0], "tracefs", 0, NULL)) {
		strbuf_addf(why, "tracefs is not mounted and cannot be mounted on '%s': %s",
			    where[0], errstr());
		return NULL;
	}
	return xstrdup(where[0]);
}

/* Free and reset without touching tracefs. */
static void forget(struct dio_proof *p)
{
	free(p->tracefs);
	free(p->legacy_symbol);
	free(p->fs_symbol);
	p->tracefs = NULL;
	p->legacy_symbol = NULL;
	p->fs_symbol = NULL;
	p->armed = 0;
}

int dio_proof_arm(struct dio_proof *p, const char *fs, struct strbuf *why)
{
	const char *method = dio_fs_method(fs);
	struct strbuf path = STRBUF_INIT;
	int fd;

	dio_proof_release(p);
	p->tracefs = find_tracefs(why);
	if (!p->tracefs)
		goto fail;
	strbuf_addf(&path, "%s/kprobe_events", p->tracefs);
	fd = open(path.buf, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			strbuf_addf(why, "no '%s': kernel without CONFIG_KPROBE_EVENTS",
				    path.buf);
		else
			strbuf_addf(why, "cannot open '%s': %s", path.buf, errstr());
		goto fail;
	}
	close(fd);
	if (remove_group(p->tracefs, why))
		goto fail;	/* said why; the next run tries again */
	if (place_probe(p->tracefs, LEGACY_EVENT, legacy_symbols,
			sizeof(legacy_symbols) / sizeof(legacy_symbols[0]),
			&p->legacy_symbol, why))
		goto fail_remove;
	if (method && place_probe(p->tracefs, FS_EVENT, &method, 1, &p->fs_symbol, why))
		goto fail_remove;
	if (p->legacy_symbol || p->fs_symbol) {
		if (tracefs_write(p->tracefs, GROUP_ENABLE, O_TRUNC, "1")) {
			strbuf_addf(why, "cannot enable '%s/%s': %s", p->tracefs, GROUP_ENABLE,
				    errstr());
			goto fail_remove;
		}
		p->armed = 1;
	}
	strbuf_release(&path);
	return 0;

	/*
	 * A half-way arm is undone here: afterwards p is as initialised, so
	 * that collect cannot take it for "armed, symbol absent" (0 calls).
	 */
fail_remove:
	dio_proof_release(p);
fail:
	forget(p);
	strbuf_release(&path);
	return -1;
}

/* strtoull() takes "-1" and " 7"; a count is plain decimal digits only. */
static int parse_count(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* "event" or "group/event" */
static int event_matches(const char *name, const char *event)
{
	const char *slash = strrchr(name, '/');

	return !strcmp(name, event) || (slash && !strcmp(slash + 1, event));
}

int dio_kprobe_profile_hits(const char *text, const char *event, unsigned long long *hits,
			    unsigned long long *missed)
{
	struct strbuf line = STRBUF_INIT;
	unsigned long long fh = 0, fm = 0;
	const char *p = text;
	int found = 0, bad = 0;

	if (!*event)
		return -1;
	while (*p) {
		const char *nl = strchrnul(p, '\n');
		char *save = NULL, *name, *h, *m;
		unsigned long long hv, mv;

		strbuf_reset(&line);
		strbuf_add(&line, p, (size_t)(nl - p));
		p = *nl ? nl + 1 : nl;
		name = strtok_r(line.buf, " \t\r", &save);
		if (!name || !event_matches(name, event))
			continue;
		h = strtok_r(NULL, " \t\r", &save);
		m = strtok_r(NULL, " \t\r", &save);
		/* a second line for the name: two groups' events, whose hits are whose? */
		if (found || parse_count(h, &hv) || parse_count(m, &mv) ||
		    strtok_r(NULL, " \t\r", &save)) {
			bad = 1;
			break;
		}
		found = 1;
		fh = hv;
		fm = mv;
	}
	strbuf_release(&line);
	if (!found || bad)
		return -1;
	*hits = fh;
	*missed = fm;
	return 0;
}

/*
 * Calls of the probed function: hits plus misses (a miss is a call during
 * which the kprobe handler could not run, e.g. from within another probe).
 */
static int event_calls(const char *profile, const char *event, unsigned long long *calls,
		       struct strbuf *why)
{
	unsigned long long hits, missed;

	if (dio_kprobe_profile_hits(profile, event, &hits, &missed)) {
		strbuf_addf(why, "%sno single well-formed line for '%s' in kprobe_profile",
			    why->len ? "; " : "", event);
		return -1;
	}
	*calls = hits + missed;
	return 0;
}

int dio_proof_collect(struct dio_proof *p, double total_ios, struct sample_set *out,
		      struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT, profile = STRBUF_INIT, gone = STRBUF_INIT;
	unsigned long long legacy = 0, fs = 0;
	int have_legacy = 0, have_fs = 0, ret = 0;

	if (!p->tracefs) {
		strbuf_addstr(why, "the kprobe events were not armed");
		ret = -1;
		goto samples;
	}
	/* stop counting first; a probe that stays enabled would slow every later repetition */
	if (p->armed && tracefs_write(p->tracefs, GROUP_ENABLE, O_TRUNC, "0")) {
		strbuf_addf(why, "cannot disable '%s/%s': %s", p->tracefs, GROUP_ENABLE, errstr());
		ret = -1;
	}
	if (p->legacy_symbol || p->fs_symbol) {
		strbuf_addf(&path, "%s/kprobe_profile", p->tracefs);
		if (strbuf_read_file(&profile, path.buf, TRACEFS_FILE_MAX)) {
			strbuf_addf(why, "%scannot read '%s': %s", why->len ? "; " : "", path.buf,
				    errstr());
			ret = -1;
		} else {
			if (p->legacy_symbol)
				have_legacy = !event_calls(profile.buf, LEGACY_EVENT, &legacy, why);
			if (p->fs_symbol)
				have_fs = !event_calls(profile.buf, FS_EVENT, &fs, why);
			if ((p->legacy_symbol && !have_legacy) || (p->fs_symbol && !have_fs))
				ret = -1;
		}
	}
	/* no legacy entry point in this kernel: nothing can have gone through it */
	if (!p->legacy_symbol)
		have_legacy = 1;
	if (remove_group(p->tracefs, &gone))
		warning("kprobe events left behind: %s", gone.buf);
	else
		p->armed = 0;

samples:
	if (have_legacy)
		sample_set_add(out, "dio.legacy_calls", (double)legacy, "calls");
	else
		sample_set_add_unavailable(out, "dio.legacy_calls", "calls");
	if (have_fs)
		sample_set_add(out, "dio.fs_direct_io_calls", (double)fs, "calls");
	else
		sample_set_add_unavailable(out, "dio.fs_direct_io_calls", "calls");
	if (have_legacy && total_ios > 0)
		sample_set_add(out, "dio.legacy_calls_per_io", (double)legacy / total_ios,
			       "calls/IO");
	else
		sample_set_add_unavailable(out, "dio.legacy_calls_per_io", "calls/IO");
	strbuf_release(&gone);
	strbuf_release(&profile);
	strbuf_release(&path);
	return ret;
}

void dio_proof_release(struct dio_proof *p)
{
	struct strbuf why = STRBUF_INIT;

	if (p->tracefs && remove_group(p->tracefs, &why))
		warning("kprobe events left behind: %s", why.buf);
	strbuf_release(&why);
	forget(p);
}
