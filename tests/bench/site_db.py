#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fill a pinbench database (schema made by pinbench itself) with synthetic
nightly data for the site benchmark: RUNS runs (one a night) of JOBS jobs x 20
metrics x REPS repetitions, and a comparison of each night against the one
before, with verdicts; about one comparison in 20 finds a regression.

    python3 site_db.py DB [RUNS JOBS REPS]
"""
import random
import sqlite3
import sys

db, runs, jobs, reps = sys.argv[1], 730, 40, 5
if len(sys.argv) > 4:
    runs, jobs, reps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
metrics = ["fio.read.iops", "fio.read.bw_bytes", "fio.read.clat_mean_ns", "fio.read.clat_p50_ns",
           "fio.read.clat_p99_ns", "fio.read.clat_p99_9_ns", "fio.read.clat_stddev_ns",
           "fio.read.runtime_ms", "fio.read.total_ios", "fio.total_ios", "fio.usr_cpu",
           "fio.sys_cpu", "fio.ctx", "vmstat.nr_foll_pin_acquired",
           "vmstat.nr_foll_pin_released", "pin.acquired_per_io", "pin.released_per_io",
           "perf.task_clock", "perf.context_switches", "perf.page_faults"]
rnd = random.Random(1)
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode = WAL")
c.execute("PRAGMA synchronous = OFF")
c.execute("INSERT INTO machine (fingerprint, hostname, cpu_model, cores, memory_kb, target_kind,"
          " devices) VALUES ('synthetic', 'lab1', 'cpu', 8, 16000000, 'qemu-kvm', '[]')")
units = {"iops": "IO/s", "bw_bytes": "B/s", "_ns": "ns", "per_io": "pins/io"}
for m in metrics:
    c.execute("INSERT INTO metric (name, unit) VALUES (?, ?)",
              (m, next((u for k, u in units.items() if m.endswith(k)), "")))
for j in range(jobs):
    c.execute("INSERT INTO job (hash, name, params, fs, device, rw, bs, iodepth, numjobs,"
              " ioengine, size, runtime) VALUES (?, ?, '{}', 'vfat', 'nvme', 'randread', 4096,"
              " 1, 1, 'psync', 67108864, 5)", ("%016x" % (j + 1), "randread-%dk@nvme:vfat" % (j + 1)))
for i in range(runs):
    day = "2025-%02d-%02dT02:00:00Z" % (1 + (i // 28) % 12, 1 + i % 28)
    c.execute("INSERT INTO kernel (name, source, release, build_sha) VALUES (?, 'git:/src@next',"
              " ?, ?)", ("next-%d" % i, "6.13.0-rc%d" % (i % 8), "%064x" % i))
    c.execute("INSERT INTO run (kernel, machine, target, started, finished, state) VALUES"
              " (?, 1, 'qemu', ?, ?, 'done')", (i + 1, day, day))
    rows = []
    for j in range(jobs):
        base = 10000 + 100 * j
        for r in range(1, reps + 1):
            c.execute("INSERT INTO rep (run, job, rep, status) VALUES (?, ?, ?, 'ok')",
                      (i + 1, j + 1, r))
            for k, m in enumerate(metrics):
                rows.append((i + 1, j + 1, r, m, base * (1 + k) * rnd.gauss(1, 0.02)))
    c.executemany("INSERT INTO sample (run, job, rep, metric, value) VALUES (?, ?, ?, ?, ?)",
                  rows)
    if i:
        regress = rnd.random() < 0.05
        cur = c.execute("INSERT INTO comparison (run_a, run_b, decided_at, regressions) VALUES"
                        " (?, ?, ?, ?)", (i, i + 1, day, 1 if regress else 0))
        cid = cur.lastrowid
        v = []
        for j in range(jobs):
            for m in metrics[:15]:
                verdict = "regression" if regress and j == 0 and m == "fio.read.iops" else \
                    "no change"
                v.append((cid, j + 1, m, "noisy", verdict, 1.0, 1.0, 1.0, 0.98, 1.02, 0.5, 0.5,
                          reps, reps))
        c.executemany("INSERT INTO verdict (comparison, job, metric, kind, verdict, median_a,"
                      " median_b, ratio, ci_lo, ci_hi, p, q, n_a, n_b) VALUES"
                      " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", v)
c.commit()
print("%d runs x %d jobs x %d metrics x %d reps = %d samples" %
      (runs, jobs, len(metrics), reps, runs * jobs * len(metrics) * reps))
