# QEMU target figures (not a test): boot time to agent start, the harness
# overhead of a run (wall time minus fio's runtime and the boots, as a share
# of wall time; goal <= 10 %), and the A/A spread: the coefficient of
# variation of IOPS across the 5 repetitions of one boot and across the
# medians of 3 boots, per device, same kernel. Never run it while anything
# else loads the machine: the spread is the machine's noise.
set -u
REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PINBENCH=${PINBENCH:-$REPO_DIR/pinbench}
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
RUNTIME=${RUNTIME:-5}
T=$(mktemp -d /tmp/pinbench-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/img"

cat > "$T/config.ini" <<EOC
[store]
database = $T/bench.db
[matrix]
filesystems = vfat
rw = randread, write
bs = 4k
size = 64M
runtime = $RUNTIME
repetitions = 15
[target qemu]
image_dir = /dev/shm
[kernels]
cache_dir = $CACHE
[kernel baseline]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
EOC

"$PINBENCH" kernel build --config "$T/config.ini" baseline > /dev/null 2>&1 ||
	{ echo "cannot build the baseline kernel"; exit 1; }
start=$(date +%s.%N)
"$PINBENCH" run --config "$T/config.ini" --target qemu --kernel baseline --boots 3 \
	> "$T/out" 2> "$T/err" || { echo "the run failed:"; tail -20 "$T/err"; exit 1; }
wall=$(echo "$(date +%s.%N) - $start" | bc)
db="$T/bench.db"

boots=$(grep -o 'agent up [0-9.]* s' "$T/err" | awk '{ print $3 }')
printf 'boot to agent start (s), 3 boots:   %s\n' "$(echo $boots | tr ' ' ',')"
boot_sum=$(echo "$boots" | paste -sd+ | bc)
fio_s=$(sqlite3 "$db" "select sum(max_ms) / 1000.0 from (select max(value) as max_ms from sample
	where rep >= 1 and metric in ('fio.read.runtime_ms', 'fio.write.runtime_ms')
	group by run, job, rep)")
build_s=$(grep -o 'cached, built in [^)]*' "$T/out" | head -1)
printf 'wall %.1f s, fio runtime %.1f s, boots %.1f s\n' "$wall" "$fio_s" "$boot_sum"
printf 'harness overhead: %.1f %% of wall (goal <= 10 %%)\n' \
	"$(echo "($wall - $fio_s - $boot_sum) * 100 / $wall" | bc -l)"

echo "A/A spread under $(sqlite3 "$db" "select target_kind from machine"), ${RUNTIME} s jobs:"
printf '  %-40s %14s %18s\n' "job" "cv% in a boot" "cv% across boots"
sqlite3 -separator ' ' "$db" "select j.name, p.boot, s.value from sample s
	join rep p on p.run = s.run and p.job = s.job and p.rep = s.rep join job j on j.id = s.job
	where s.rep >= 1 and s.metric in ('fio.read.iops', 'fio.write.iops') and s.value > 0
	order by j.name, p.boot" |
awk '
function cv(a, n,   i, m, v) { m = 0; for (i = 1; i <= n; i++) m += a[i]; m /= n;
	v = 0; for (i = 1; i <= n; i++) v += (a[i] - m) ^ 2; return n > 1 ? sqrt(v / (n - 1)) / m * 100 : 0 }
function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
	if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function flush_boot() { if (nb) { within += cv(b, nb); nwithin++; meds[++nm] = median(b, nb) } nb = 0 }
function flush_job() { flush_boot(); if (job != "") printf "  %-40s %14.1f %18.1f\n", job, within / nwithin, cv(meds, nm);
	within = 0; nwithin = 0; nm = 0 }
{ if ($1 != job) { flush_job(); job = $1; boot = "" }
  if ($2 != boot) { flush_boot(); boot = $2 }
  b[++nb] = $3 }
END { flush_job() }'
