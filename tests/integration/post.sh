# pinbench post: the result mail of a comparison of two real runs, threaded
# under a planted patch (with a hostile subject and author), written as an
# .eml, sent to a real SMTP server (python3-aiosmtpd) and parsed back with
# Python's email package; a send to a server that is down stays queued and
# `post --retry` delivers it exactly once.
. "$(dirname "$0")/lib.bash"

SMTPD="$(cd "$(dirname "$0")" && pwd)/smtpd.py"
tiny_config "$T/config.ini"
db="$T/tiny.db"
for i in 1 2; do
	"$PINBENCH" run --config "$T/config.ini" --target host > /dev/null 2>&1 ||
		echo "# run $i failed"
done
parse() {  # parse FILE: the headers that matter, one per line
	python3 - "$1" <<'EOP'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
for h in ("Subject", "In-Reply-To", "References", "To", "Cc", "Bcc", "Message-ID"):
    print("%s: %s" % (h, m.get(h)))
print("headers:", len(m.keys()))
print("long header lines:", sum(1 for l in open(sys.argv[1], "rb").read().split(b"\r\n\r\n")[0]
                                .split(b"\r\n") if len(l) > 78))
body = m.get_content()
print("body lines over 100:", sum(1 for l in body.splitlines() if len(l) > 100))
print("body has table:", "pin.released_per_io" in body and "reproduce:" in body)
print("body links the site:", "https://perf.lab.example/pinbench/comparison-1.html" in body)
EOP
}

# What is stored is what is shown: in a copy of the two real runs, a planted
# 20 % IOPS drop (8 boots a side of one repetition each, interleaved: boot b
# of each run paired; the only noisy row) is stored as a
# regression under the default 2 % threshold; raising [compare]
# throughput_threshold to 50 % afterwards changes no report of it.
pdir="$T/planted"
mkdir -p "$pdir"
sqlite3 "$db" ".backup '$pdir/tiny.db'"
cp "$T/config.ini" "$pdir/config.ini"
cat >> "$pdir/config.ini" <<EOC
[mail]
from = pinbench <bot@lab.example>
to = list@lab.example
EOC
python3 - "$pdir/tiny.db" <<'EOP'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
job, unit = db.execute("select job, unit from sample where run = 1 and metric = 'fio.read.iops'"
                       " limit 1").fetchone()
db.execute("delete from sample where not (metric = 'fio.read.iops' and job = ?)", (job,))
for run, base in ((1, 1000.0), (2, 800.0)):
    for rep in range(1, 9):
        db.execute("insert or replace into rep (run, job, rep, status, boot)"
                   " values (?, ?, ?, 'ok', ?)", (run, job, rep, rep))
        db.execute("insert or replace into sample (run, job, rep, metric, value, unit)"
                   " values (?, ?, ?, 'fio.read.iops', ?, ?)", (run, job, rep, base + rep, unit))
db.commit()
EOP
pq() { q "$pdir/tiny.db" "$1"; }
"$PINBENCH" compare --config "$pdir/config.ini" --from-db 1 2 > "$pdir/cmp" 2>&1
is "$?" "1" "the planted 20 % IOPS drop is a regression (exit 1)"
is "$(pq "select verdict || ' ' || printf('%.3f', ratio) from verdict where comparison = 1")" \
	"regression 0.801" "stored as one: ratio 0.801"
is "$(pq "select throughput_threshold || ' ' || latency_threshold || ' ' || alpha || ' ' ||
	confidence || ' ' || resamples || ' ' || seed || ' ' || exact_tolerance
	from comparison where id = 1")" "0.02 0.05 0.05 0.95 2000 1 0.1" \
	"with the settings it was decided under"
contains "$pdir/cmp" "at least 2% (throughput) or 5% (latency), and q <= 0.05" \
	"and the report says them"
printf '[compare]\nthroughput_threshold = 50%%\n' >> "$pdir/config.ini"
"$PINBENCH" compare --config "$pdir/config.ini" --from-db 1 2 --json > "$pdir/today.json" 2>&1
is "$?" "0" "under today's 50 % a new comparison (2) of the same runs finds no regression"
check "(its --json stdout is the JSON document alone)" python3 -m json.tool "$pdir/today.json"
is "$(pq "select verdict from verdict where comparison = 2")" "no change" "it says no change"

"$PINBENCH" report --config "$pdir/config.ini" --text 1 > "$pdir/text" 2> "$pdir/err"
ok $? "report --text shows comparison 1"
check "report --text: still REGRESSION on the IOPS row" grep -q 'REGRESSION *fio.read.iops' "$pdir/text"
contains "$pdir/text" "1 regression, 0 improvements" "and counts it"
contains "$pdir/text" "at least 2% (throughput)" "under the stored 2 %, not today's 50 %"
"$PINBENCH" report --config "$pdir/config.ini" --json 1 > "$pdir/json" 2> "$pdir/err"
ok $? "report --json shows comparison 1"
check "as a JSON document alone on stdout" python3 -m json.tool "$pdir/json"
is "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
r = d["rows"][0]
print(d["comparison"], d["regressions"], r["metric"], r["verdict"], "%.3f" % r["ratio"],
      d["settings"]["throughput_threshold"], d["settings"]["resamples"])' "$pdir/json")" \
	"1 1 fio.read.iops regression 0.801 0.02 2000" \
	"report --json: the stored regression and its settings"
"$PINBENCH" post --config "$pdir/config.ini" 1 > "$pdir/post" 2> "$pdir/err"
ok $? "post composes the mail of comparison 1"
parse "$pdir/pinbench-reports/comparison-1.eml" > "$pdir/h" 2>&1
check "post: the subject names the regression" \
	grep -q '^Subject: .*fio.read.iops -19.9% regression' "$pdir/h"
python3 - "$pdir/pinbench-reports/comparison-1.eml" > "$pdir/body" <<'EOP'
import email, email.policy, sys
print(email.message_from_bytes(open(sys.argv[1], "rb").read(),
                               policy=email.policy.default).get_content())
EOP
check "post: the body's IOPS row says REGRESSION" grep -q 'REGRESSION *fio.read.iops' "$pdir/body"

# a comparison stored before the settings were (schema 6): shown as stored, settings unknown
pq "update comparison set throughput_threshold = null, latency_threshold = null, alpha = null,
	confidence = null, resamples = null, seed = null, exact_tolerance = null where id = 1"
pq "update verdict set unit = null, cv_a = null, cv_b = null where comparison = 1"
"$PINBENCH" report --config "$pdir/config.ini" --text 1 > "$pdir/old" 2> "$pdir/err"
check "an old comparison: report --text still says REGRESSION" \
	grep -q 'REGRESSION *fio.read.iops' "$pdir/old"
contains "$pdir/old" "settings: not stored with this comparison" "and that its settings are unknown"
"$PINBENCH" report --config "$pdir/config.ini" --json 1 > "$pdir/old.json" 2> "$pdir/err"
is "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["rows"][0]["verdict"], d["settings"])' "$pdir/old.json")" "regression None" \
	"report --json: the stored verdict, settings null"
"$PINBENCH" db export --config "$pdir/config.ini" 1 > "$pdir/export.json" 2> "$pdir/err"
check "db export (JSON) writes the JSON document alone on stdout" \
	python3 -m json.tool "$pdir/export.json"

"$PINBENCH" compare --config "$T/config.ini" --from-db 1 2 > /dev/null 2>&1
ok $(($? > 1)) "two real runs compared (comparison 1)"


# the patched run's kernel carries a series: a cover letter and a patch whose
# subject tries to add a header and whose author is to be copied (reply_all)
q "$db" "update kernel set build_sha = 'series' where id = (select kernel from run where id = 2)"
q "$db" "insert into build (name, key, source, identity, state) values ('p', 'series', 's', 'i', 'done')"
q "$db" "insert into build_patch (build, seq, subject, author, message_id, recipients) values
	((select max(id) from build), 0, '[PATCH 0/1] cover', 'Ann Author <ann@example.org>',
	 'cover.1@example.org', 'linux-fsdevel@vger.example' || char(10) || 'Mai Ntainer <mai@example.org>'),
	((select max(id) from build), 1, '[PATCH 1/1] fs/direct-io: <script>x</script> \$(rm -rf /)'
	 || char(13) || char(10) || 'Bcc: victim@evil.example', 'Ann Author <ann@example.org>',
	 'patch.1@example.org', 'linux-fsdevel@vger.example' || char(10) || 'bad' || char(13) || 'addr')"

spool="$T/spool"
mkdir -p "$spool"
# a port nobody listens on until the server starts
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_smtpd() {  # start_smtpd DIR: the server on a free port; smtp_url points at it
	mkdir -p "$1"
	python3 "$SMTPD" "$1" --lifetime 300 > "$T/smtpd.out" 2>&1 &
	smtpd=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$T/smtpd.out" 2>/dev/null && break
		sleep 0.1
	done
	port=$(sed -n 's/^ready //p' "$T/smtpd.out")
	sed -i "s|^smtp_url = .*|smtp_url = smtp://127.0.0.1:$port|" "$T/config.ini"
}
cat >> "$T/config.ini" <<EOC
[mail]
from = pinbench <bot@lab.example>
to = list@lab.example
cc = watcher@lab.example
reply_all = on
reply_all_domains = example.org, vger.example
smtp_url = smtp://127.0.0.1:$port
tls = off
domain = lab.example
[report]
base_url = https://perf.lab.example/pinbench
EOC

"$PINBENCH" post --config "$T/config.ini" 1 > "$T/out" 2> "$T/err"
ok $? "post writes the result mail"
eml="$T/pinbench-reports/comparison-1.eml"
check "as an .eml" test -s "$eml"
is "$(q "$db" "select state from mail where comparison = 1")" "written" "and sends nothing"

parse "$eml" > "$T/h"
contains "$T/h" "In-Reply-To: <patch.1@example.org>" "threaded under the patch"
contains "$T/h" "References: <cover.1@example.org> <patch.1@example.org>" \
	"and under the cover letter"
contains "$T/h" "Subject: [pinbench] [PATCH 1/1] fs/direct-io: <script>x</script> \$(rm -rf /)Bcc: victim@evil.example: " \
	"the subject keeps the patch's words, CR/LF stripped"
contains "$T/h" "Bcc: None" "so no Bcc header was injected"
check "the author is a recipient (reply-all)" grep -q "^To: .*ann@example.org" "$T/h"
check "the configured Cc and whom the patch mails went to are copied" \
	grep -q "^Cc: watcher@lab.example, linux-fsdevel@vger.example,.*mai@example.org" "$T/h"
contains "$T/h" "long header lines: 0" "no header line is longer than 78"
contains "$T/h" "body lines over 100: 0" "no body line is longer than 100"
contains "$T/h" "body has table: True" "the body is the text report with its reproducer"
contains "$T/h" "body links the site: True" "and links the comparison's page ([report] base_url)"

# a real SMTP server
start_smtpd "$spool"
"$PINBENCH" post --config "$T/config.ini" 1 --send > "$T/out" 2> "$T/err"
ok $? "post --send delivers it"
is "$(ls "$spool"/*.eml 2>/dev/null | wc -l)" "1" "the server received one message"
contains "$T/out" "250" "the server's reply is printed"
parse "$(ls "$spool"/*.eml | head -1)" > "$T/h2"
contains "$T/h2" "In-Reply-To: <patch.1@example.org>" "the received mail is threaded"
is "$(grep '^Message-ID' "$T/h2")" "$(grep '^Message-ID' "$T/h")" \
	"with the Message-ID the .eml had: composed once"
python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["rcpt_tos"])))' \
	"$(ls "$spool"/*.env | head -1)" > "$T/rcpt"
is "$(cat "$T/rcpt")" "ann@example.org linux-fsdevel@vger.example list@lab.example mai@example.org watcher@lab.example" \
	"the envelope has the list, the Cc, the author and the patch's recipients, once each"
is "$(q "$db" "select state || ' ' || attempts from mail where comparison = 1")" "sent 1" \
	"the outbox says sent"
"$PINBENCH" post --config "$T/config.ini" 1 --send > /dev/null 2> "$T/err"
is "$?" "2" "a sent mail is not sent again"
is "$(ls "$spool"/*.eml | wc -l)" "1" "still one message at the server"

# the server goes down: the mail stays queued, --retry sends it later
kill $smtpd; wait $smtpd 2>/dev/null
"$PINBENCH" compare --config "$T/config.ini" --from-db 2 1 > /dev/null 2>&1
"$PINBENCH" post --config "$T/config.ini" 2 --send > "$T/out" 2> "$T/err"
is "$?" "3" "a send to a server that is down fails with exit 3"
contains "$T/err" "kept in the outbox" "and says the mail is kept"
is "$(q "$db" "select state from mail where comparison = 2")" "queued" "queued in the database"
start_smtpd "$T/spool2"
"$PINBENCH" post --config "$T/config.ini" --retry > "$T/out" 2> "$T/err"
ok $? "post --retry sends it once the server is up"
is "$(ls "$T/spool2"/*.eml | wc -l)" "1" "the server got the queued mail"
parse "$(ls "$T/spool2"/*.eml | head -1)" > "$T/h3"
is "$(grep '^Message-ID' "$T/h3")" "Message-ID: <$(q "$db" "select message_id from mail where comparison = 2")>" \
	"the one composed for comparison 2"
"$PINBENCH" post --config "$T/config.ini" --retry > "$T/out" 2>&1
contains "$T/out" "no mail waiting" "a second --retry has nothing to send"
is "$(ls "$spool"/*.eml "$T/spool2"/*.eml | wc -l)" "2" "no duplicate: two mails in all"
kill $smtpd; wait $smtpd 2>/dev/null

# reply_all stays inside the user's policy: the patch mail names 30 more
# addresses; only example.org is allowed, and at most 10 (the default cap)
q "$db" "update build_patch set recipients = recipients || (with recursive n(i) as
	(select 1 union all select i + 1 from n where i < 30)
	select group_concat(char(10) || 'r' || i || '@example.org', '') from n) where seq = 1"
sed -i 's/^reply_all_domains = .*/reply_all_domains = example.org/' "$T/config.ini"
envelope() {  # envelope COMPARISON: its mail's SMTP recipients, sorted, on one line
	python3 -c 'import json, sys; print(" ".join(sorted(json.loads(sys.argv[1]))))' \
		"$(q "$db" "select recipients from mail where comparison = $1")"
}
"$PINBENCH" compare --config "$T/config.ini" --from-db 1 2 > /dev/null 2>&1
"$PINBENCH" post --config "$T/config.ini" 3 > "$T/out" 2> "$T/err"
ok $? "post composes comparison 3's mail"
is "$(envelope 3)" "ann@example.org list@lab.example mai@example.org $(printf 'r%d@example.org ' 1 2 3 4 5 6 7 8)watcher@lab.example" \
	"reply_all adds 10 addresses of the allowed domain, no more"
contains "$T/err" "reply_all: 10 addresses from the patch mails added, 24 left out" \
	"and says how many it added and left out"
contains "$T/err" "22 addresses over [mail] reply_all_max = 10 left out" "over the cap"
contains "$T/err" "1 address outside [mail] reply_all_domains (example.org) left out" \
	"outside the allowed domains"
contains "$T/err" "1 address that does not parse left out" "and unparsable"
sed -i '/^reply_all_domains = /d; s/^reply_all = on/reply_all = on\nreply_all_max = 2/' "$T/config.ini"
"$PINBENCH" compare --config "$T/config.ini" --from-db 1 2 > /dev/null 2>&1
"$PINBENCH" post --config "$T/config.ini" 4 > "$T/out" 2> "$T/err"
is "$(envelope 4)" "list@lab.example watcher@lab.example" \
	"with no [mail] reply_all_domains, reply_all adds nobody"
contains "$T/err" "outside [mail] reply_all_domains (empty: none allowed)" "and says why"

# the SMTP password file: refused unless only its owner (this user) may read it, as ssh does
printf 'secret\n' > "$T/pw"
chmod 644 "$T/pw"
sed -i "s|^tls = off|tls = off\nuser = bot\npassword_file = $T/pw|" "$T/config.ini"
"$PINBENCH" post --config "$T/config.ini" 3 --send > "$T/out" 2> "$T/err"
is "$?" "3" "post --send with a world-readable password file fails"
is "$(grep -c . "$T/err")" "1" "with one line"
contains "$T/err" "[mail] password_file '$T/pw' has mode 0644: group or others may use it; refused" \
	"naming the file and its mode"
chmod 620 "$T/pw"
"$PINBENCH" post --config "$T/config.ini" 3 --send > "$T/out" 2> "$T/err"
contains "$T/err" "has mode 0620" "group-writable is refused too"
chmod 600 "$T/pw"
chown 65534 "$T/pw"
"$PINBENCH" post --config "$T/config.ini" 3 --send > "$T/out" 2> "$T/err"
contains "$T/err" "is owned by uid 65534, not by this user (uid $(id -u)): refused" \
	"a file another user owns is refused"
chown "$(id -u)" "$T/pw"
"$PINBENCH" post --config "$T/config.ini" 3 --send > "$T/out" 2> "$T/err"
check "mode 0600, ours: the password is read and the send is tried" \
	sh -c "! grep -q password_file '$T/err' && grep -q 'kept in the outbox' '$T/err'"

done_testing
