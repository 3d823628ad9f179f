# Bad input gets a one-line error naming the file/line/field, a distinct
# exit code, and nothing already stored is lost.
. "$(dirname "$0")/lib.bash"

# malformed config: file:line and exit 2
printf '[matrix]\nrw = randread\nbs = 4q\n' > "$T/bad.ini"
"$PINBENCH" run --config "$T/bad.ini" > /dev/null 2> "$T/err"
is "$?" "2" "bad value in config exits 2"
contains "$T/err" "$T/bad.ini:3: [matrix] bs: '4q'" "error names file, line, section and key"
is "$(wc -l < "$T/err")" "1" "error is one line"
printf '[matrix]\nwhat = 1\n' > "$T/bad2.ini"
"$PINBENCH" db list --config "$T/bad2.ini" > /dev/null 2> "$T/err"
is "$?" "2" "unknown key exits 2 for every command"
contains "$T/err" "bad2.ini:2: unknown key 'what'" "unknown key named"
"$PINBENCH" run --config "$T/missing.ini" > /dev/null 2> "$T/err"
is "$?" "2" "missing config file exits 2"
"$PINBENCH" run --bogus > /dev/null 2>&1
is "$?" "2" "unknown option exits 2"
"$PINBENCH" frobnicate > /dev/null 2>&1
is "$?" "2" "unknown command exits 2"
"$PINBENCH" run --help > "$T/help"
ok $? "run --help exits 0"
contains "$T/help" "--target" "run --help lists its options"
"$PINBENCH" help config > "$T/help"
contains "$T/help" "vmstat_counters" "help config lists the keys"

# a stored run that later runs must not lose
tiny_config "$T/config.ini"
sed -i -e 's/^rw = .*/rw = randread/' -e 's/^repetitions = 2/repetitions = 1/' "$T/config.ini"
"$PINBENCH" run --config "$T/config.ini" -q > /dev/null 2>&1
ok $? "a first good run"
db="$T/tiny.db"
before=$(q "$db" "select count(*) from sample")

# fio missing: names the package, exit 3, nothing lost
PATH=/nonexistent "$PINBENCH" run --config "$T/config.ini" > /dev/null 2> "$T/err"
is "$?" "3" "missing fio exits 3"
contains "$T/err" "apt-get install fio" "and names the package"

# perf missing: a warning, the run goes on without perf samples
mkdir -p "$T/bin"
ln -s "$(command -v fio)" "$T/bin/fio"
PATH="$T/bin" "$PINBENCH" run --config "$T/config.ini" > /dev/null 2> "$T/err"
is "$?" "0" "missing perf: the run still succeeds"
contains "$T/err" "perf disabled for this run" "and says perf is disabled"
last=$(q "$db" "select max(id) from run")
is "$(q "$db" "select count(*) from sample where run=$last and metric like 'perf.%'")" "0" \
	"no perf samples invented"
is "$(q "$db" "select count(*) from sample where run=$last and metric='fio.read.iops'")" "1" \
	"fio samples stored without perf"

# fio fails (block size larger than the file): a failed repetition with fio's message
cat > "$T/fail.ini" <<EOC
[store]
database = tiny.db
[matrix]
rw = randread
bs = 64M
size = 1M
runtime = 1
repetitions = 1
[target host]
scratch_dir = $T/scratch
EOC
"$PINBENCH" run --config "$T/fail.ini" > "$T/out" 2> "$T/err"
is "$?" "3" "a failing fio job exits 3"
last=$(q "$db" "select max(id) from run")
is "$(q "$db" "select status from rep where run=$last")" "failed" "the repetition is stored as failed"
msg=$(q "$db" "select message from rep where run=$last")
n=$((n + 1)); if [ -n "$msg" ]; then echo "ok $n - with fio's message: $msg"; else echo "not ok $n - failed rep has a message"; failed=$((failed+1)); fi
is "$(q "$db" "select count(*) from sample where run=$last")" "0" "and no zero samples"
contains "$T/out" "failed repetitions:" "the summary lists failed repetitions"

# unwritable database path
"$PINBENCH" run --config "$T/config.ini" --db /nonexistent/dir/x.db > /dev/null 2> "$T/err"
is "$?" "3" "unwritable database exits 3"
contains "$T/err" "/nonexistent/dir/x.db" "and names the path"

# locked database: another writer holds it past the busy timeout
python3 - "$db" "$T/locked" <<'PY' &
import sqlite3, sys, time, pathlib
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("begin exclusive")
pathlib.Path(sys.argv[2]).touch()
time.sleep(12)
c.execute("rollback")
PY
locker=$!
for _ in $(seq 50); do [ -e "$T/locked" ] && break; sleep 0.1; done
"$PINBENCH" run --config "$T/config.ini" > /dev/null 2> "$T/err"
is "$?" "3" "locked database exits 3"
contains "$T/err" "locked" "and says locked"
wait $locker
is "$(q "$db" "select count(*) from sample where run=1")" "$before" \
	"samples stored before are all still there"

# a text file is not a database and is left alone
echo "not a database" > "$T/text.db"
"$PINBENCH" db list --db "$T/text.db" > /dev/null 2> "$T/err"
is "$?" "3" "a non-database file exits 3"
is "$(cat "$T/text.db")" "not a database" "and is not overwritten"

# Ctrl-C in the middle: interrupted, finished repetitions kept
sed -e 's/^runtime = 1/runtime = 3/' -e 's/^repetitions = 1/repetitions = 20/' "$T/config.ini" > "$T/long.ini"
# the runs there were before this one are counted before it starts; then the
# interrupt waits for the state it is about: a repetition of this run stored
runs_before=$(q "$db" "select max(id) from run")
"$PINBENCH" run --config "$T/long.ini" > "$T/out" 2> "$T/err" &
pid=$!
stored=0
while kill -0 $pid 2>/dev/null; do
	c=$(q "$db" "select count(*) from rep where run > $runs_before and status = 'ok'" 2>/dev/null)
	[ "${c:-0}" -ge 1 ] && { stored=1; break; }
	sleep 0.1
done
is "$stored" "1" "a repetition of the long run is stored while it runs"
kill -INT $pid
wait $pid
is "$?" "3" "interrupted run exits 3"
last=$(q "$db" "select max(id) from run")
is "$(q "$db" "select state from run where id=$last")" "interrupted" "run marked interrupted"
kept=$(q "$db" "select count(*) from rep where run=$last and status='ok'")
n=$((n + 1)); if [ "$kept" -ge 1 ] && [ "$kept" -lt 20 ]; then echo "ok $n - finished repetitions kept ($kept)"; else echo "not ok $n - finished repetitions kept ($kept)"; failed=$((failed+1)); fi
# [-] keeps pgrep from matching its own command line
pgrep -f "[-]-directory=$T/scratch" > /dev/null
is "$?" "1" "no fio left running"

done_testing
