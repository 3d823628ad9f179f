# Cost-row figures (not a test): the A/A spread of every cost row over BOOTS
# counting boots of the same 6.12 kernel (one job, randread 4k on vfat, NVMe),
# within a boot (the counted repetitions) and between boots (their medians),
# and what a counting boot costs in time against a measured boot.
# Never run it while anything else loads the machine.
set -u
REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PINBENCH=${PINBENCH:-$REPO_DIR/pinbench}
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
BOOTS=${BOOTS:-5}
T=$(mktemp -d /tmp/pinbench-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/img"

cat > "$T/config.ini" <<EOC
[store]
database = $T/bench.db
[matrix]
filesystems = vfat
rw = randread
bs = 4k
size = 16M
runtime = 2
repetitions = 3
[target qemu]
# one measured boot, then the counting boot (boot 2)
boots = 1
disks = nvme
disk_size = 256M
image_dir = $T/img
[kernels]
cache_dir = $CACHE
[kernel baseline]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
EOC
if [ ! -f "$(dirname "$PINBENCH")/pinbench-count.so" ]; then
	echo "no pinbench-count.so beside $PINBENCH: make deps && make"
	exit 1
fi
for b in $(seq "$BOOTS"); do
	"$PINBENCH" run --config "$T/config.ini" --target qemu --kernel baseline \
		> /dev/null 2> "$T/err.$b" || { echo "run $b failed:"; tail -5 "$T/err.$b"; exit 1; }
	sed -n 's/.*baseline boot \([12]\): done in \([0-9]*\) s.*/\1 \2/p' "$T/err.$b" >> "$T/times"
done
echo "cost rows of $BOOTS counting boots (3 counted repetitions each), 6.12 randread 4k vfat:"
python3 - "$T/bench.db" <<'PY'
import sqlite3, statistics as st, sys
db = sqlite3.connect(sys.argv[1])
rows = {}
for run, metric, value in db.execute(
        "select run, metric, value from sample where metric like 'cost.%' and value is not null"):
    rows.setdefault(metric, {}).setdefault(run, []).append(value)
def cv(v):
    m = st.mean(v)
    return 100 * st.stdev(v) / abs(m) if len(v) > 1 and m else 0.0
print("%-44s %12s %10s %10s %10s" % ("metric", "median", "CV boot %", "CV in %", "range %"))
for metric in sorted(rows):
    per_run = rows[metric]
    meds = [st.median(v) for v in per_run.values()]
    within = max(cv(v) for v in per_run.values())
    med = st.median(meds)
    rng = 100 * (max(meds) - min(meds)) / abs(med) if med else 0.0
    print("%-44s %12.2f %10.3f %10.3f %10.3f" % (metric, med, cv(meds), within, rng))
PY
awk '$1 == 1 { m += $2; nm++ } $1 == 2 { c += $2; nc++ }
	END { printf "measured boot (3 x 2 s): %.0f s, counting boot (3 x 2000 I/Os + idle runs): %.0f s (means)\n", m / nm, c / nc }' "$T/times"
