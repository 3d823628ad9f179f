/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_AGENT_H
#define PINBENCH_AGENT_H

#include "runner/cli.h"

/*
 * `pinbench agent --plan FILE`: the side of a run that executes inside the
 * kernel under test. The plan (JSON, written by the host):
 *
 *   {"config": "/path/config.ini" or absent, "bundle": "/work/bundle-1.jsonl",
 *    "mnt": "/tmp/pinbench-agent", "expect_release": "6.12.57", "boot": 1,
 *    "one_off": true (the legacy-DIO proof and profile passes: in one boot only),
 *    "first_rep": 1, "last_rep": 3, "filesystems": ["vfat", "exfat"],
 *    "devices": [{"name": "nvme", "serial": "pinbench-nvme"}, ...],
 *    "probe": ["/etc/shadow", "/", ...] (optional),
 *    "count": {"marker": ADDRESS} (optional: a counting boot, runner/cost.h)}
 *
 * "probe" is for testing what the guest can see of the host (the host puts
 * $PINBENCH_GUEST_PROBE there, paths separated by ':'): after its hello the
 * agent tries to read each path, from inside the guest, and reports a
 * "probe" record (readable or the error; for a directory its names and the
 * number of regular files below it on the same file system).
 *
 * The jobs are the config's matrix on those devices and filesystems (the
 * host expands the same matrix, so job hashes agree); results go to the
 * bundle (runner/bundle.h), ending with an "end" record.
 */
int cmd_agent(int argc, char **argv, struct cli *cli);

#endif
