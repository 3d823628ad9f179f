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

done_testing
