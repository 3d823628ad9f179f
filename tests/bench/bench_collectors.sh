# What the collectors cost (a figure, not a test): the baseline kernel in
# QEMU, one boot per run, runs alternating between the collectors on (vmstat
# and perf stat, the shipped defaults) and both off, in the order
# on off off on on off ... so that a steady drift of the host hits both
# alike. Each run's figure per job is its boot's median IOPS; a pair is one
# "on" boot and the "off" boot next to it. Printed: per job the geometric
# mean of off/on over the pairs with a t interval, and over all jobs.
# Never run it while anything else loads the machine.
# BENCH_PAIRS (default 4), BENCH_REPS (repetitions per boot, default 3),
# BENCH_OFF: the collectors the "off" side turns off (default "vmstat perf_stat").
set -u
REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PINBENCH=${PINBENCH:-$REPO_DIR/pinbench}
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
PAIRS=${BENCH_PAIRS:-4}
REPS=${BENCH_REPS:-3}
OFF=${BENCH_OFF:-vmstat perf_stat}
T=$(mktemp -d /tmp/pinbench-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/img"

# collectors_config FILE on|off: the shipped matrix, one boot, the collectors on or $OFF off
collectors_config() {
	local c sets=()

	for c in vmstat perf_stat; do
		case " $OFF " in
		*" $c "*) sets+=(-e "s|^$c = .*|$c = $2|") ;;
		*) sets+=(-e "s|^$c = .*|$c = on|") ;;
		esac
	done
	sed -e "s|^database = .*|database = $T/bench.db|" -e "s|^cache_dir = .*|cache_dir = $CACHE|" \
		-e "s|^image_dir = .*|image_dir = $T/img|" -e "s|^boots = .*|boots = 1|" \
		-e "s|^repetitions = .*|repetitions = $REPS|" "${sets[@]}" \
		-e "s|= kernels/configs/|= $REPO_DIR/kernels/configs/|" \
		-e "s|= examples/|= $REPO_DIR/examples/|" "$REPO_DIR/config.ini" > "$1"
	printf '[cost]\nmode = off\n' >> "$1"
}
collectors_config "$T/on.ini" on
collectors_config "$T/off.ini" off
"$PINBENCH" kernel build --config "$T/on.ini" baseline > /dev/null 2>&1 ||
	{ echo "cannot build the baseline kernel"; exit 1; }

: > "$T/order"
for i in $(seq 1 "$PAIRS"); do
	if [ $((i % 2)) = 1 ]; then order="on off"; else order="off on"; fi
	for side in $order; do
		"$PINBENCH" run --config "$T/$side.ini" --target qemu --kernel baseline \
			> /dev/null 2> "$T/err" || { echo "run ($side) failed:"; tail -5 "$T/err"; exit 1; }
		run=$(sqlite3 "$T/bench.db" "select max(id) from run")
		echo "$i $side $run" >> "$T/order"
	done
done

sqlite3 -separator ' ' "$T/bench.db" "select s.run, j.name, s.rep, sum(s.value) from sample s
	join job j on j.id = s.job where s.rep >= 1 and s.metric in ('fio.read.iops', 'fio.write.iops')
	group by s.run, s.job, s.rep" > "$T/iops"
python3 - "$T/order" "$T/iops" "$REPS" "$OFF" <<'EOP'
import math, statistics, sys
from collections import defaultdict
order = [l.split() for l in open(sys.argv[1])]
iops = defaultdict(list)
for run, job, rep, v in (l.split() for l in open(sys.argv[2])):
    iops[(int(run), job)].append(float(v))
side = {int(r): (int(i), s) for i, s, r in order}
jobs = sorted({j for _, j in iops})
T975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26}

def interval(logs):
    m = statistics.mean(logs)
    if len(logs) < 2:
        return m, float("nan"), float("nan")
    h = T975.get(len(logs) - 1, 2.0) * statistics.stdev(logs) / math.sqrt(len(logs))
    return m, m - h, m + h

print("collectors on (vmstat, perf_stat) against %s off: %d pairs of boots, %s repetitions "
      "each, IOPS off/on (> 0: the collectors cost that much)" % (sys.argv[4], len(order) // 2,
                                                                  sys.argv[3]))
by_pair = defaultdict(list)  # the jobs of one pair of boots share its minutes
for job in jobs:
    pairs = defaultdict(dict)
    for (run, j), v in iops.items():
        if j == job and run in side:
            i, s = side[run]
            pairs[i][s] = statistics.median(v)
    logs = []
    for i, p in sorted(pairs.items()):
        if "on" in p and "off" in p:
            logs.append(math.log(p["off"] / p["on"]))
            by_pair[i].append(logs[-1])
    m, lo, hi = interval(logs)
    print("  %-44s %+6.1f %%  [%+.1f, %+.1f]" % (job[:44], (math.exp(m) - 1) * 100,
          (math.exp(lo) - 1) * 100, (math.exp(hi) - 1) * 100))
m, lo, hi = interval([statistics.mean(v) for v in by_pair.values()])
print("  %-44s %+6.1f %%  [%+.1f, %+.1f]  (goal: within 1 %%)" %
      ("all jobs (a pair's mean over its jobs)", (math.exp(m) - 1) * 100, (math.exp(lo) - 1) * 100,
       (math.exp(hi) - 1) * 100))
EOP
