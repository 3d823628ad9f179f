# A database of an older schema (a real one, dumped: tests/fixtures/db) is
# migrated when opened, without losing a row, and takes new runs afterwards.
. "$(dirname "$0")/lib.bash"

FIX="$(cd "$(dirname "$0")/.." && pwd)/fixtures/db"
db="$T/old.db"
sqlite3 "$db" < "$FIX/schema-v2.sql"
is "$(q "$db" "pragma user_version")" "2" "the fixture is a schema-2 database"
samples=$(q "$db" "select count(*) from sample")

"$PINBENCH" db show 1 --db "$db" > "$T/show" 2> "$T/err"
ok $? "the current pinbench opens it"
is "$(q "$db" "pragma user_version")" "11" "and migrates it to the current schema (11)"
is "$(q "$db" "select count(*) from sample")" "$samples" "every sample is still there"
is "$(q "$db" "select id || ' ' || state from run")" "1 done" "the run keeps its id and state"
is "$(q "$db" "select count(*) from rep where boot is null")" "2" \
	"old repetitions have no boot (they ran on the host)"
is "$(q "$db" "pragma foreign_key_check")" "" "no foreign key points nowhere"
contains "$T/show" "fio.read.iops" "db show reads the old run"

tiny_config "$T/config.ini"
"$PINBENCH" run --config "$T/config.ini" --db "$db" > /dev/null 2>&1
ok $? "a new run goes into the migrated database"
is "$(q "$db" "select count(*) from run where state = 'done'")" "2" "next to the old one"
q "$db" "update run set state = 'panicked' where id = 2" 2>/dev/null
is "$(q "$db" "select state from run where id = 2")" "panicked" "the new run states are allowed"
q "$db" "update run set state = 'exploded' where id = 2" 2>/dev/null
is "$(q "$db" "select state from run where id = 2")" "panicked" "others still are not"

done_testing
