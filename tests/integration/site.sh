# pinbench report: the text report of a stored comparison, and the static
# site from a database filled by real runs, checked with xmllint and a real
# browser (headless chromium); hostile strings planted in the database
# (kernel name, host name, patch subject and author, a verdict, a comparison's
# date) stay inert text.
. "$(dirname "$0")/lib.bash"

tiny_config "$T/config.ini"
db="$T/tiny.db"
for i in 1 2; do
	"$PINBENCH" run --config "$T/config.ini" --target host > /dev/null 2>&1 ||
		echo "# run $i failed"
done
"$PINBENCH" compare --config "$T/config.ini" --from-db 1 2 > "$T/cmp" 2>&1
ok $(($? > 1)) "two real runs compared (comparison 1)"

"$PINBENCH" report --config "$T/config.ini" --text 1 > "$T/text" 2> "$T/err"
ok $? "report --text prints a stored comparison"
sed -n '/±stddev/,/^reproduce:/p' "$T/cmp" > "$T/t1"
sed -n '/±stddev/,/^reproduce:/p' "$T/text" > "$T/t2"
check "with the table compare printed (same numbers, same verdicts)" cmp -s "$T/t1" "$T/t2"
"$PINBENCH" report --config "$T/config.ini" --text 7 > /dev/null 2> "$T/err"
is "$?" "2" "an unknown comparison is a usage error"
contains "$T/err" "no comparison 7" "naming it"

# hostile strings, as a patch mail or a host could carry them
evil='<script>document.title="PWNED"</script>"><img src=x onerror="document.body.setAttribute('"'"'data-pwned'"'"',1)">'
sq=$(printf '%s' "$evil" | sed "s/'/''/g")
q "$db" "update kernel set name = '$sq', build_sha = 'evilbuild'" 
q "$db" "update machine set hostname = '$sq'"
q "$db" "insert into build (name, key, source, identity, state) values ('x', 'evilbuild', 's', 'i', 'done')"
q "$db" "insert into build_patch (build, seq, subject, author, message_id) values
	((select max(id) from build), 1, '$sq' || char(13) || char(10) || 'Bcc: victim@example.org',
	 'Mallory <m@example.org>$sq', 'evil@example.org')"
# a verdict as a tampered database could hold it (the verdict column is free text)
q "$db" "update verdict set verdict = 'regression<i id=verdict-pwned>$sq' where comparison = 1
	and metric = (select min(metric) from verdict where comparison = 1)"

site="$T/site"
"$PINBENCH" report --config "$T/config.ini" --html="$site" > "$T/out" 2> "$T/err"
ok $? "report --html writes the site"
contains "$T/out" "$site/index.html" "and says where"
for f in index.html comparison-1.html style.css regressions.atom; do
	check "$f is there" test -s "$site/$f"
done
nhist=$(ls "$site"/history-*.html 2>/dev/null | wc -l)
ok $((nhist < 4)) "a history page per job and key metric ($nhist)"
bad=0
# libxml2's HTML parser knows HTML 4 only: HTML5's <details> and <summary> are the
# one complaint allowed (each is an error line, the line it quotes and a caret line)
for f in "$site"/*.html; do
	xmllint --html --noout "$f" > "$T/lint" 2>&1
	awk '/HTML parser error : Tag (details|summary) invalid$/ { skip = 2; next }
	     skip > 0 { skip--; next } { print }' "$T/lint" > "$T/lint.rest"
	[ -s "$T/lint.rest" ] && { bad=1; sed 's/^/# /' "$T/lint.rest" | head -5; }
done
is "$bad" "0" "every page is well-formed HTML (xmllint --html)"
check "the Atom feed is well-formed XML" xmllint --noout "$site/regressions.atom"
nplots=$(ls "$site"/plots/*.svg 2>/dev/null | wc -l)
ok $((nplots < 2)) "plots drawn ($nplots)"
bad=0
for f in "$site"/plots/*.svg; do xmllint --noout "$f" 2>/dev/null || bad=1; done
is "$bad" "0" "every plot is well-formed SVG"
is "$(grep -l '<script' "$site"/*.html "$site"/plots/*.svg | wc -l)" "0" \
	"no page or plot holds a script element"
contains "$site/comparison-1.html" "&lt;script&gt;document.title=" "the hostile name is text"
contains "$site/comparison-1.html" "Mallory &lt;m@example.org&gt;" "so is the author"
contains "$site/comparison-1.html" "<td>regression&lt;i id=verdict-pwned&gt;&lt;script&gt;" \
	"and a verdict"

# a real browser: the DOM holds the table rows, nothing from the data ran
dump() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$1" 2>/dev/null
}
# what is absent from a DOM tells something only when the page was rendered
dom_lacks() {  # dom_lacks NAME DOM TEXT : DOM holds the comparison's heading and table, not TEXT
	grep -q '^<h1>comparison 1: ' "$2" && grep -q '^<tr class="verdict' "$2" &&
		! grep -qi -- "$3" "$2"
	ok $? "$1"
}
dump "$site/comparison-1.html" > "$T/dom"
verdicts=$(q "$db" "select count(*) from verdict where comparison = 1")
ok $((verdicts == 0)) "comparison 1 has verdicts to show ($verdicts)"
is "$(grep -c '^<tr class="verdict[a-z ]*"><td>' "$T/dom")" "$verdicts" \
	"chromium shows one table row per stored verdict ($verdicts)"
check "the page title is ours (no script ran)" grep -q '<title>comparison 1: ' "$T/dom"
head_line=$(grep -n '<p class="headline"><strong>VERDICT: [A-Z ]*</strong> (exit [01])</p>' "$T/dom" | cut -d: -f1)
table_line=$(grep -n '<table class="verdicts">' "$T/dom" | cut -d: -f1)
check "the page leads with the verdict, before the table (line ${head_line:-none} < ${table_line:-none})" \
	test "${head_line:-999999}" -lt "${table_line:-0}"
check "and the full table is kept, folded in <details>" grep -q '^<details><summary>every row' "$T/dom"
check "the heading names the hostile kernel as text" \
	grep -q '^<h1>comparison 1: &lt;script&gt;document.title=' "$T/dom"
dom_lacks "no onerror handler ran" "$T/dom" '<body[^>]*data-pwned'
check "the hostile markup is shown as text" grep -q '&lt;img src=x onerror=' "$T/dom"
dom_lacks "and never became an element" "$T/dom" '<img src="x"'
dom_lacks "the browser sees no script element" "$T/dom" '<script'
dom_lacks "nor the verdict's element" "$T/dom" '<i id="verdict-pwned"'
dump "$site/index.html" > "$T/idom"
check "the index lists comparison 1" grep -q 'href="comparison-1.html"' "$T/idom"
check "and the runs" grep -q '<td>2</td>' "$T/idom"
timeout 120 chromium --headless --no-sandbox --disable-gpu --window-size=1200,1600 \
	--screenshot="$T/shot.png" "file://$site/comparison-1.html" > /dev/null 2>&1
is "$(head -c 8 "$T/shot.png" | od -An -tx1 | tr -d ' \n')" "89504e470d0a1a0a" \
	"a screenshot of the comparison page is a PNG"

# incremental: nothing changed, nothing rewritten or drawn; a new comparison adds its pages
"$PINBENCH" report --config "$T/config.ini" --html="$site" > "$T/out2" 2>&1
contains "$T/out2" "(0 rewritten)" "regenerating an unchanged site rewrites no page"
contains "$T/out2" "(0 drawn)" "and draws no plot"
"$PINBENCH" compare --config "$T/config.ini" --from-db 2 1 > /dev/null 2>&1
"$PINBENCH" report --config "$T/config.ini" --html="$site" > "$T/out3" 2>&1
check "a new comparison gets its page" test -s "$site/comparison-2.html"
written=$(sed -n 's/.*(\([0-9]*\) rewritten).*/\1/p' "$T/out3")
total=$(sed -n 's/.*: \([0-9]*\) pages.*/\1/p' "$T/out3")
ok $((written == 0 || written >= total)) "and only what changed is rewritten ($written of $total)"

# a metric name from the database never becomes a path outside the site
q "$db" "insert into metric (name, unit) values ('fio./../../escaped.iops', 'IO/s')"
q "$db" "insert into sample (run, job, rep, metric, value) select run, job, rep,
	'fio./../../escaped.iops', 1 from rep where rep >= 1"
"$PINBENCH" report --config "$T/config.ini" --html="$site" > /dev/null 2> "$T/err"
ok $? "a site with a hostile metric name is still written"
contains "$T/err" "not a name a page can have" "which gets no history page"
is "$(find "$T" -name '*escaped*' | wc -l)" "0" "and no file anywhere"

# open regressions: the newest comparison of a kernel pair decides; its date,
# a string from the database, goes into the feed's entry id
q "$db" "update comparison set regressions = 1, decided_at = decided_at || '<id>forged</id>&'
	where id = 2"
"$PINBENCH" report --config "$T/config.ini" --html="$site" > /dev/null 2>&1
check "a comparison that found a regression is open" sh -c \
	"sed -n '/<h2>Open regressions/,/<h2>Latest comparisons/p' '$site/index.html' |
	 grep -q 'comparison-2.html'"
check "and in the Atom feed" grep -q 'comparison-2.html' "$site/regressions.atom"
contains "$site/regressions.atom" "&lt;id&gt;forged&lt;/id&gt;&amp;</id>" \
	"the feed's entry id holds the stored date as text"
check "and the feed is still well-formed XML" xmllint --noout "$site/regressions.atom"
# A/A noise may or may not find a regression in comparison 3: the data
# planted here decides, the same kernels compared clean
"$PINBENCH" compare --config "$T/config.ini" --from-db 1 2 > /dev/null 2>&1
is "$(q "$db" "select count(*) from comparison where id = 3")" "1" "a third comparison is stored"
q "$db" "update comparison set regressions = 0 where id = 3"
q "$db" "update verdict set verdict = 'no change' where comparison = 3 and verdict = 'regression'"
"$PINBENCH" report --config "$T/config.ini" --html="$site" > /dev/null 2>&1
check "a newer clean comparison of the same kernels closes it" sh -c \
	"sed -n '/<h2>Open regressions/,/<h2>Latest comparisons/p' '$site/index.html' |
	 grep -q '<p>none</p>'"

done_testing
