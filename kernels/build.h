/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_BUILD_H
#define PINBENCH_BUILD_H

#include "common/strbuf.h"
#include "common/strvec.h"
#include "kernels/patch.h"

struct db;

/*
 * Building a kernel into the content-addressed artifact cache:
 *
 *   CACHE/artifacts/KEY/   bzImage, config, System.map, build.log, manifest.json
 *
 * KEY is the SHA-256 of everything the result depends on: the source's
 * identity, every patch's bytes, the base target, every fragment's bytes, the
 * compiler version and the build recipe's version. An artifact directory
 * appears (by rename) only when its build succeeded, so a failed or killed
 * build can never be taken for a good one; failed builds keep their log in
 * CACHE/failed/KEY/build.log.
 *
 * Objects live in CACHE/obj/SOURCE-ID/CONFIG-ID (one per source and merged
 * fragments); a patched build reuses the baseline's objects there and make
 * recompiles only what the patches touched.
 */
struct kernel_request {
	const char *name;		/* for messages and the database */
	const char *source;		/* deb:..., git:..., dir:... */
	const char *base;		/* tinyconfig */
	const struct strvec *patches;	/* specs, see patch_load() */
	const struct strvec *configs;	/* fragment paths (already resolved) */
};

struct kernel_build_opts {
	const char *cache_dir;
	const char *lore_url;
	unsigned jobs;		/* make -j; 0: online CPUs */
	int ccache;		/* use ccache when installed */
	int resolve_only;	/* compute the key and look in the cache, never build */
	int progress;		/* print progress lines (stage, objects, elapsed) */
};

struct kernel_artifact {
	char key[65];
	char *dir;		/* CACHE/artifacts/KEY */
	char *bzimage;		/* dir/bzImage */
	char *release;		/* `make kernelrelease`, e.g. 6.12.57 */
	char *identity;		/* of the source */
	char config_sha[65];	/* of the final .config */
	int cached;		/* found in the cache, nothing built */
	int present;		/* the artifact exists (always after a successful build) */
	double seconds;		/* build time (this build, or the cached one's) */
	long long objects;	/* objects compiled by this build; -1 when cached */
	long long size;		/* bzImage bytes */
	struct patch_list patches;
	struct patch cover;	/* cover.message_id NULL: none */
};

void kernel_artifact_release(struct kernel_artifact *a);

/* What kernel_build() returns besides 0. */
enum kernel_build_error {
	KBUILD_ERR_INPUT = -1,	/* bad source, patch, fragment: the user's to fix (exit 2) */
	KBUILD_ERR_INFRA = -2,	/* compiler failed, network down, disk full (exit 3) */
	KBUILD_ERR_INTERRUPTED = -3,
};

/*
 * Build (or find) the kernel req describes. db may be NULL; otherwise the
 * build, its patches and its outcome are recorded there. With
 * opts->resolve_only nothing is built: out->present says whether the cache
 * has it. Returns 0 or an enum kernel_build_error (error printed).
 */
int kernel_build(struct db *db, const struct kernel_request *req,
		 const struct kernel_build_opts *opts, struct kernel_artifact *out);

/*
 * The first compiler error of a build log ("fs/direct-io.c:1234:5: error:
 * ...", else the first "Error"/"***" line) into out. Returns 1 when found.
 */
int kernel_log_first_error(const char *log, struct strbuf *out);

#endif
