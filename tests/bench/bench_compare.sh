# compare figures (not a test), on the shipped quick matrix (config.ini):
#  1. time to verdict with a warm baseline: compare --patch with a patch never
#     built before (the example patch plus a fresh line in fs/direct-io.c),
#     split into compile, boots, fio runtime, unmeasured passes and harness;
#  2. A/A under drift: a calibration of the baseline (interleaved boots, the
#     default plan) with a busy loop on one host core switched on half way:
#     the noisy rows it calls a regression or an improvement are false;
#  3. the smallest planted throughput change compare detects at the defaults:
#     the IOPS and bandwidth of one side of that A/A scaled down by 2 ... 50 %
#     in a copy of the database and compared again (--from-db), per job;
#  4. the planted udelay(20) before every bio (every job truly slower):
#     compare at the defaults, its IOPS verdicts per job.
# Never run it while anything else loads the machine (2. loads it itself).
set -u
REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PINBENCH=${PINBENCH:-$REPO_DIR/pinbench}
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
T=$(mktemp -d /tmp/pinbench-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/img"

# the shipped matrix and kernels, with this run's database, images and cache
sed -e "s|^database = .*|database = $T/bench.db|" -e "s|^cache_dir = .*|cache_dir = $CACHE|" \
	-e "s|^image_dir = .*|image_dir = $T/img|" \
	-e "s|= kernels/configs/|= $REPO_DIR/kernels/configs/|" \
	-e "s|= examples/|= $REPO_DIR/examples/|" "$REPO_DIR/config.ini" > "$T/config.ini"
reps=$(sed -n 's/^repetitions = //p' "$T/config.ini")
"$PINBENCH" kernel build --config "$T/config.ini" baseline > /dev/null 2>&1 ||
	{ echo "cannot build the baseline kernel"; exit 1; }

# a line fs/direct-io.c never had: the patched kernel must really be compiled
nonce=$(date +%s%N)
cat > "$T/nonce.patch" <<EOP
From: pinbench bench <bench@pinbench.invalid>
Subject: [PATCH] fs/direct-io: bench nonce $nonce

---
 fs/direct-io.c | 3 +++
 1 file changed, 3 insertions(+)

diff --git a/fs/direct-io.c b/fs/direct-io.c
--- a/fs/direct-io.c
+++ b/fs/direct-io.c
@@ -1321,3 +1321,6 @@ static __init int dio_init(void)
 	return 0;
 }
 module_init(dio_init)
+
+/* pinbench bench nonce */
+const char pinbench_bench_nonce[] = "$nonce";
EOP

start=$(date +%s.%N)
"$PINBENCH" compare --config "$T/config.ini" --baseline baseline \
	--patch "$REPO_DIR/examples/patches/0001-fs-direct-io-extra-pin-per-page.patch" \
	--patch "$T/nonce.patch" > "$T/out" 2> "$T/err"
rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
[ $rc -le 1 ] || { echo "compare failed ($rc):"; tail -20 "$T/err"; exit 1; }
db="$T/bench.db"

to_s() { # "1m30s" or "12.5s" -> seconds
	echo "$1" | awk '{ s = 0; if (match($0, /[0-9]+m/)) s += substr($0, RSTART, RLENGTH - 1) * 60;
		if (match($0, /[0-9.]+s/)) s += substr($0, RSTART, RLENGTH - 1); print s }'
}
compile=$(to_s "$(grep -o 'baseline+patch: [^(]*(built in [^,)]*' "$T/out" | sed 's/.*built in //')")
objects=$(grep -o '[0-9]* objects compiled' "$T/out" | head -1)
boots=$(grep -o 'agent up [0-9.]* s' "$T/err" | awk '{ s += $3 } END { print s + 0 }')
fio=$(sqlite3 "$db" "select coalesce(sum(ms), 0) / 1000.0 from (select max(value) as ms from sample
	where rep >= 1 and metric in ('fio.read.runtime_ms', 'fio.write.runtime_ms')
	group by run, job, rep)")
passes=$(sqlite3 "$db" "select count(*) from rep where rep = 0")
jobs=$(sqlite3 "$db" "select count(distinct job) from rep")
harness=$(echo "$wall - $compile - $boots - $fio - $passes" | bc -l)
echo "time to verdict, $jobs jobs x $reps repetitions x 2 kernels, warm baseline (exit $rc):"
printf '  wall                %7.1f s\n' "$wall"
printf '  compile             %7.1f s  (%s)\n' "$compile" "${objects:-cached}"
printf '  boots to agent      %7.1f s\n' "$boots"
printf '  fio runtime         %7.1f s  (measured repetitions)\n' "$fio"
printf '  unmeasured passes   %7.1f s  (%s legacy-DIO proof passes of 1 s; warm-ups are harness)\n' "$passes" "$passes"
printf '  harness             %7.1f s  = %.1f %% of wall, %.1f %% of wall without compile (goal <= 10 %%)\n' \
	"$harness" "$(echo "$harness * 100 / $wall" | bc -l)" \
	"$(echo "$harness * 100 / ($wall - $compile)" | bc -l)"

# 2. A/A under drift at the default plan, a busy loop switched on half way
boots=$(sed -n 's/^boots = //p' "$T/config.ini")
half=$(echo "($wall - $compile) / 2" | bc)
( sleep "$half"; timeout "$half" sh -c 'while :; do :; done' ) &
loader=$!
"$PINBENCH" calibrate --config "$T/config.ini" --kernel baseline --repetitions "$reps" \
	> "$T/cal" 2> "$T/calerr" || { echo "calibrate failed"; tail "$T/calerr"; exit 1; }
kill "$loader" 2> /dev/null; wait "$loader" 2> /dev/null
read -r cal ra rb <<< "$(sqlite3 -separator ' ' "$db" "select id, run_a, run_b from comparison
	order by id desc limit 1")"
echo
echo "A/A under drift: $boots interleaved boots a side, $reps repetitions, a busy host core from"
echo "${half} s on (half way):"
sqlite3 -separator ' ' "$db" "select count(*), sum(verdict in ('regression', 'improvement')),
	sum(verdict = 'no change'), sum(verdict = 'inconclusive') from verdict
	where comparison = $cal and kind = 'noisy'" | {
	read -r n false nochange undecided
	printf '  noisy rows %s: %s false verdicts (%.2f %%, goal <= 1 %%), %s no change, %s undecided\n' \
		"$n" "$false" "$(echo "${false:-0} * 100 / $n" | bc -l)" "$nochange" "$undecided"
}
grep -o 'drift: .*' "$T/cal" | sed 's/^/  /'

# 3. planted drops in a copy of that A/A
echo
echo "the planted throughput drop compare calls a regression at the defaults, per job:"
printf '  %-44s %7s %10s  %s\n' job "cv%" "detects" "planted drops called (of 2 5 10 20 30 50 %)"
for pct in 2 5 10 20 30 50; do
	cp "$db" "$T/p$pct.db"
	sqlite3 "$T/p$pct.db" "update sample set value = value * (1 - $pct / 100.0) where run = $rb
		and (metric like 'fio.%.iops' or metric like 'fio.%.bw_bytes')"
	"$PINBENCH" compare --config "$T/config.ini" --db "$T/p$pct.db" --from-db "$ra" "$rb" \
		--json > "$T/p$pct.json" 2> /dev/null
done
python3 - "$T" <<'EOP'
import json, sys
t = sys.argv[1]
pcts = [2, 5, 10, 20, 30, 50]
docs = {p: json.load(open("%s/p%d.json" % (t, p))) for p in pcts}
base = {r["job"]: r for r in docs[2]["rows"] if r["metric"].endswith(".iops")}
smallest = []
for job in sorted(base):
    called = []
    for p in pcts:
        r = [r for r in docs[p]["rows"] if r["job"] == job and r["metric"].endswith(".iops")][0]
        called.append(p if r["verdict"] == "regression" else None)
    first = next((p for p in called if p), None)
    smallest.append(first)
    cv = (((base[job]["cv_a_pct"] ** 2) + (base[job]["cv_b_pct"] ** 2)) / 2) ** 0.5
    print("  %-44s %6.1f%% %9s  %s" % (job[:44], cv, "%d %%" % first if first else "none",
          " ".join(str(p) for p in called if p) or "-"))
got = sorted(p for p in smallest if p)
print("smallest planted drop called: %s of %d jobs at 2-50 %%; median job: %s" %
      (len(got), len(smallest), ("%d %%" % got[len(got) // 2]) if got else "none"))
EOP

# 4. the planted udelay(20) before every bio, at the defaults
cat >> "$T/config.ini" <<EOC
[kernel udelay]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
patches = $REPO_DIR/tests/fixtures/patches/0001-fs-direct-io-udelay-20-before-every-bio.patch
EOC
"$PINBENCH" compare --config "$T/config.ini" --baseline baseline --patched udelay --boots "$boots" \
	--json > "$T/udelay.json" 2> "$T/udelay.err"
rc=$?
[ $rc -le 1 ] || { echo "udelay compare failed ($rc):"; tail -5 "$T/udelay.err"; exit 1; }
echo
echo "udelay(20) before every bio, $boots interleaved boots a side (exit $rc):"
python3 - "$T/udelay.json" <<'EOP'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = [r for r in doc["rows"] if r["metric"].endswith(".iops") and r["metric"] != "pooled.iops"]
for r in doc["rows"]:
    if r["metric"] == "pooled.iops":
        print("  pooled IOPS of %s: %s %+.1f %% (CI %+.1f .. %+.1f %%, p %.3g)" % (
            r["job"], r["verdict"], (r["ratio"] - 1) * 100, (r["ci_lo"] - 1) * 100,
            (r["ci_hi"] - 1) * 100, r["p"]))
words = {}
for r in rows:
    words.setdefault(r["verdict"], []).append(r)
for w, rs in sorted(words.items()):
    print("  IOPS %-12s %2d of %d jobs  %s" % (w, len(rs), len(rows), " ".join(
        "%+.0f%%" % ((r["ratio"] - 1) * 100) for r in rs if r.get("ratio") is not None)))
k4 = [r for r in rows if "-4k-" in r["job"]]
print("  4k jobs called a regression: %d of %d (goal: all); improvements anywhere: %d (goal: 0)" %
      (sum(r["verdict"] == "regression" for r in k4), len(k4),
       sum(r["verdict"] == "improvement" for r in doc["rows"] if r["kind"] == "noisy")))
print("  headline: %s" % doc["headline"]["verdict"])
EOP
