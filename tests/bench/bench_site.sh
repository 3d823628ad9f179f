# Static site figures (not a test): pinbench report --html on a synthetic
# database of two years of nightly data (730 runs x 40 jobs x 20 metrics x 5
# repetitions, a comparison a night): the full generation, then regenerating
# with nothing changed, then after one more night. Goal: the whole site <= 5 s.
set -u
REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PINBENCH=${PINBENCH:-$REPO_DIR/pinbench}
RUNS=${RUNS:-730}
T=$(mktemp -d /tmp/pinbench-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

# the schema, made by pinbench: a database is created by the first command that writes
"$PINBENCH" compare --db "$T/site.db" --from-db 1 2 > /dev/null 2>&1
start=$(date +%s.%N)
python3 "$REPO_DIR/tests/bench/site_db.py" "$T/site.db" "$RUNS" 40 5 || exit 1
printf '  synthetic database made in %.1f s, %s MiB\n' \
	"$(echo "$(date +%s.%N) - $start" | bc)" "$(( $(stat -c %s "$T/site.db") >> 20 ))"
timed() {  # timed LABEL: pinbench report --html, its wall time and its own summary
	local s e
	s=$(date +%s.%N)
	"$PINBENCH" report --db "$T/site.db" --html="$T/site" > "$T/out" 2> "$T/err" ||
		{ echo "report failed:"; tail -5 "$T/err"; exit 1; }
	e=$(date +%s.%N)
	printf '  %-28s %7.2f s  (%s)\n' "$1" "$(echo "$e - $s" | bc)" \
		"$(sed 's/^.*index.html: //' "$T/out")"
}
echo "site generation, $RUNS nights:"
timed "full, plots included"
timed "again, nothing changed"
python3 - "$T/site.db" <<'EOP'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("select max(id) from run").fetchone()[0]
c.execute("insert into run (kernel, machine, target, state) values (1, 1, 'qemu', 'done')")
c.execute("insert into comparison (run_a, run_b, regressions) values (?, ?, 1)", (n, n + 1))
c.commit()
EOP
timed "after one more night"
