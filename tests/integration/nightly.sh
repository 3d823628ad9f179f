# pinbench nightly on a real git history: Debian's linux-source-6.12 as the
# first commit, then a harmless commit, the shipped extra-pin patch and a
# harmless one, and two side commits that do not build and do not boot. A
# branch's head moves night by night; the step in pins per I/O is found at
# the night the patch arrived, between the right commits; a failed build and
# a failed boot are recorded and are no points; the same night twice does
# nothing; a second nightly is refused while one holds the lock.
#
# The history lives in the test cache at a fixed path with fixed dates, so
# its commits are the same on every run and its kernels come from the
# artifact cache after the first run (the first one builds it cold once).
. "$(dirname "$0")/lib.bash"

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
TARBALL=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$TARBALL" ]; then
	echo "not ok 1 - $TARBALL is missing (make deps installs it)"
	echo "1..1"
	exit 1
fi
version=$(dpkg-query -W -f '${Version}' linux-source-6.12)
repo=$CACHE/test-history/linux-6.12-$version
export GIT_AUTHOR_NAME="pinbench test" GIT_AUTHOR_EMAIL=test@pinbench.invalid \
	GIT_COMMITTER_NAME="pinbench test" GIT_COMMITTER_EMAIL=test@pinbench.invalid \
	GIT_AUTHOR_DATE="2026-12-01T00:00:00Z" GIT_COMMITTER_DATE="2026-12-01T00:00:00Z"

# commit DIR DAY SUBJECT: everything staged, committed on day DAY of December
commit() {
	GIT_AUTHOR_DATE="2026-12-$2T00:00:00Z" GIT_COMMITTER_DATE="2026-12-$2T00:00:00Z" \
		git -C "$1" commit -q -m "$3"
}

make_history() {
	local tmp=$repo.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$TARBALL" -C "$tmp" --strip-components=1 || return 1
	git -C "$tmp" init -q -b master || return 1
	# Debian's top-level .gitignore ends in "/*": add the tree by force
	git -C "$tmp" add -A -f && commit "$tmp" 01 "Linux 6.12 (Debian linux-source-6.12 $version)" &&
		git -C "$tmp" tag base || return 1
	echo "pinbench nightly test: a harmless change" >> "$tmp/Documentation/filesystems/vfat.rst"
	git -C "$tmp" add -f Documentation/filesystems/vfat.rst &&
		commit "$tmp" 02 "Documentation: vfat: a harmless change" && git -C "$tmp" tag c1 || return 1
	GIT_COMMITTER_DATE="2026-12-03T00:00:00Z" git -C "$tmp" am -q \
		"$REPO_DIR/examples/patches/0001-fs-direct-io-extra-pin-per-page.patch" &&
		git -C "$tmp" tag c2 || return 1
	echo "pinbench nightly test: another harmless change" >> "$tmp/Documentation/filesystems/vfat.rst"
	git -C "$tmp" add -f Documentation/filesystems/vfat.rst &&
		commit "$tmp" 04 "Documentation: vfat: another harmless change" &&
		git -C "$tmp" tag c3 || return 1
	# two side commits on c1: one that does not build, one that does not boot
	git -C "$tmp" checkout -q c1 || return 1
	echo '#error "pinbench nightly test: this commit does not build"' >> "$tmp/fs/direct-io.c"
	git -C "$tmp" add -f fs/direct-io.c && commit "$tmp" 05 "fs/direct-io: does not build" &&
		git -C "$tmp" tag broken || return 1
	git -C "$tmp" checkout -q c1 || return 1
	sed -i 's/^static int __ref kernel_init(void \*unused)$/&\n{\n\tpanic("pinbench nightly test: this commit does not boot");\n}\nstatic int __maybe_unused kernel_init_unused(void *unused)/' \
		"$tmp/init/main.c"
	grep -q 'this commit does not boot' "$tmp/init/main.c" || return 1
	git -C "$tmp" add -f init/main.c && commit "$tmp" 06 "init: does not boot" &&
		git -C "$tmp" tag panics || return 1
	git -C "$tmp" checkout -q --detach c1 && git -C "$tmp" branch -q nightly c1 || return 1
	mv "$tmp" "$repo"
}

if ! git -C "$repo" rev-parse -q --verify refs/tags/panics > /dev/null 2>&1; then
	rm -rf "$repo"
	mkdir -p "$(dirname "$repo")"
	make_history
	ok $? "a git history made from $TARBALL (once per Debian version)"
else
	ok 0 "the git history of an earlier run is reused ($repo)"
fi
# the branch nightly follows, moved as a developer's pushes would move it
move() { git -C "$repo" update-ref refs/heads/nightly "$(git -C "$repo" rev-parse "$1^{commit}")"; }
sha() { git -C "$repo" rev-parse "$1^{commit}"; }

mkdir -p "$T/img"
cat > "$T/config.ini" <<EOC
[store]
database = n.db
[matrix]
# ext2 goes through iomap on 6.12, not fs/direct-io.c: its series does not step
filesystems = vfat, ext2
rw = randread
bs = 4k
size = 8M
runtime = 1
repetitions = 2
[cost]
mode = off
[target qemu]
disks = nvme
disk_size = 256M
image_dir = $T/img
boot_timeout = 120
boots = 1
[kernels]
cache_dir = $CACHE
[mail]
to = lab@pinbench.invalid
[branch main]
source = git:$repo@nightly
configs = $REPO_DIR/kernels/configs/qemu.config
EOC
db=$T/n.db
job="randread-4k-qd1-psync-nj1@nvme:vfat"

# --- night 1: c1 ---
move c1
"$PINBENCH" nightly --config "$T/config.ini" --dry-run > "$T/dry" 2>&1
ok $? "nightly --dry-run exits 0"
contains "$T/dry" "main: would build and measure $(sha c1 | cut -c1-12) (Documentation: vfat: a harmless change)" \
	"and says which head it would measure"
is "$(q "$db" "select count(*) from night")" "0" "and measured nothing"
"$PINBENCH" nightly --config "$T/config.ini" > "$T/out1" 2> "$T/err1"
ok $? "night 1 exits 0"
is "$(q "$db" "select state || ' ' || commit_sha from night")" "measured $(sha c1)" \
	"the night is measured, at the branch's head"
is "$(q "$db" "select count(*) from change_point")" "0" "one night: no change point"
rel1=$(q "$db" "select avg(s.value) from sample s join night n on n.run = s.run
	join job j on j.id = s.job where n.id = 1 and j.name = '$job'
	and s.metric = 'pin.released_per_io' and s.rep > 0")

# --- the same night again ---
"$PINBENCH" nightly --config "$T/config.ini" > "$T/out2" 2> "$T/err2"
ok $? "nightly again on the same head exits 0"
contains "$T/out2" "was measured on this machine" "and says it was measured already"
is "$(q "$db" "select count(*) from night")" "1" "nothing was run"

# --- one nightly at a time ---
flock "$db.nightly.lock" "$PINBENCH" nightly --config "$T/config.ini" > "$T/out3" 2> "$T/err3"
is "$?" "3" "a nightly while another holds the lock exits 3"
contains "$T/err3" "another pinbench nightly holds" "saying why"

# --- a night whose build fails, one whose boot fails ---
move broken
"$PINBENCH" nightly --config "$T/config.ini" > "$T/out4" 2> "$T/err4"
is "$?" "3" "a night whose build fails exits 3"
is "$(q "$db" "select state from night where commit_sha = '$(sha broken)'")" "build_failed" \
	"recorded as build_failed"
contains <(q "$db" "select reason from night where commit_sha = '$(sha broken)'") \
	"this commit does not build" "its reason quotes the compiler's error"
move panics
"$PINBENCH" nightly --config "$T/config.ini" > "$T/out5" 2> "$T/err5"
is "$?" "3" "a night whose kernel does not boot exits 3"
is "$(q "$db" "select state from night where commit_sha = '$(sha panics)'")" "boot_failed" \
	"recorded as boot_failed"
contains <(q "$db" "select reason from night where commit_sha = '$(sha panics)'") \
	"this commit does not boot" "its reason quotes the panic"
is "$(q "$db" "select count(*) from change_point")" "0" "failed nights make no change point"

# --- night 4: c3, two commits past c1, one of them the extra pin ---
move c3
"$PINBENCH" nightly --config "$T/config.ini" > "$T/out6" 2> "$T/err6"
is "$?" "1" "the night the extra pin arrives exits 1"
is "$(q "$db" "select state from night where commit_sha = '$(sha c3)'")" "measured" \
	"the next night went on after the failed ones"
rel3=$(q "$db" "select avg(s.value) from sample s join night n on n.run = s.run
	join job j on j.id = s.job where n.commit_sha = '$(sha c3)' and j.name = '$job'
	and s.metric = 'pin.released_per_io' and s.rep > 0")
is "$(q "$db" "select j.name || ' ' || c.kind || ' ' || c.direction || ' '
	|| g.commit_sha || ' ' || b.commit_sha from change_point c join job j on j.id = c.job
	join night g on g.id = c.good_night join night b on b.id = c.bad_night
	where c.metric = 'pin.released_per_io'")" \
	"$job exact regression $(sha c1) $(sha c3)" \
	"the step in pins per I/O: an exact regression between c1 (last good) and c3 (first bad)"
awk -v a="$rel1" -v b="$rel3" 'BEGIN { exit !(b - a > 0.9 && b - a < 1.1) }'
ok $? "one more pin released per I/O ($rel1 -> $rel3)"
contains "$T/out6" "confirmed regression: $job pin.released_per_io" "the change point is printed"
contains "$T/out6" "between $(sha c1 | cut -c1-12) (last good) and $(sha c3 | cut -c1-12) (first bad)" \
	"with the commits around it (the failed nights skipped)"
contains "$T/out6" "1 new confirmed regression" "and counted"
is "$(q "$db" "select count(*) from change_point where kind = 'exact' and job = (select id from job
	where name like '%ext2')")" "0" "ext2's job (iomap) does not step"
is "$(q "$db" "select count(*) from change_point where kind = 'noisy'")" "0" \
	"two nights of IOPS make no noisy change point (min_segment)"
# the range c1..c3 holds two commits: the step is bisected to the patch
is "$(q "$db" "select b.state || ' ' || b.culprit || ' ' || b.verified || ' ' || b.steps
	from bisect b join change_point c on c.id = b.change_point
	where c.metric = 'pin.released_per_io'")" "found $(sha c2) 1 1" \
	"bisected in one step to the extra-pin commit, verified against its parent"
is "$(q "$db" "select subject || ' | ' || author from bisect")" \
	"fs/direct-io: take an extra pin and unpin per page section | pinbench example <example@pinbench.invalid>" \
	"with its subject and author"
is "$(q "$db" "select state from change_point where metric = 'pin.released_per_io'")" \
	"bisected" "the change point is bisected"
contains "$T/out6" "main: first bad commit $(sha c2) (fs/direct-io: take an extra pin and unpin per page section)" \
	"the first bad commit is printed"
contains <(q "$db" "select log from bisect") "$(sha c2 | cut -c1-12) bad (pin.released_per_io" \
	"the bisect log names each step's commit, verdict and value"
is "$(q "$db" "select count(distinct r.id) from run r join kernel k on k.id = r.kernel
	where k.name like 'main.%' and r.id not in (select run from night where run is not null)")" \
	"3" "the bisection's runs are no nights: one step, the parent and the culprit again"
is "$(q "$db" "select count(distinct j.name) from sample s join job j on j.id = s.job
	join run r on r.id = s.run join kernel k on k.id = r.kernel where k.name = 'main.bisect'")" \
	"1" "a step measures the change point's job alone"
"$PINBENCH" nightly --config "$T/config.ini" --force > "$T/out7" 2> "$T/err7"
is "$?" "0" "--force measures the head again: the step is known, exit 0"
is "$(q "$db" "select count(*) from change_point where metric = 'pin.released_per_io'")" "1" \
	"and it is stored once"
# the mail of the bisected regression, composed once
eml=$(ls "$T"/pinbench-reports/change-point-*.eml 2>/dev/null | head -1)
check "the regression's mail is written as an .eml ($eml)" test -s "$eml"
is "$(q "$db" "select count(*) from mail where change_point is not null")" "1" \
	"one mail, in the outbox, for the change point"
subject=$(q "$db" "select subject from mail")
echo "$subject" | grep -qE "^\[pinbench\] \[main\] $(sha c2 | cut -c1-12): $job pin\.released_per_io \+(0\.99|1\.00|1\.01) regression$"
ok $? "its subject in LKP's form: branch, first bad commit, job, metric, step ($subject)"
python3 - "$eml" > "$T/mailbody" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
print(m['To'])
print(m.get_body(preferencelist=('plain',)).get_content())
PY
ok $? "the mail parses (Python's email)"
contains "$T/mailbody" "first bad commit: $(sha c2)" "its body names the first bad commit"
contains "$T/mailbody" "verified: its parent measured good and it bad again" "verified"
contains "$T/mailbody" "<- first bad" "and shows the series around the step"
contains "$T/mailbody" "source = git:$repo@$(sha c2)" "with a reproducer"
contains "$T/mailbody" "lab@pinbench.invalid" "to [mail] to"
is "$(q "$db" "select state from mail")" "written" "written, not sent without --send"

# the site: the branch's page with its change point and first bad commit
"$PINBENCH" report --html --config "$T/config.ini" > "$T/site.out" 2>&1
ok $? "report --html writes the site with the nightly branches"
page=$T/pinbench-html/branch-main.html
check "the branch has a page" test -s "$page"
contains "$T/pinbench-html/index.html" 'href="branch-main.html"' "the index links it"
contains "$page" "bisected regression" "the change point is shown bisected"
contains "$page" "<code>$(sha c2 | cut -c1-12)</code> fs/direct-io: take an extra pin and unpin per page section (verified)" \
	"with its first bad commit, verified"
contains "$page" "build_failed" "the failed nights are listed"
xmllint --html --noout "$page" > "$T/lint" 2>&1
is "$(grep -c . "$T/lint")" "0" "the page is well-formed HTML"

# what a person says of a change point, and bad input
"$PINBENCH" regression list --config "$T/config.ini" > "$T/list" 2>&1
ok $? "regression list exits 0"
contains "$T/list" "branch main:" "it names the branch"
grep -qE "bisected regression: $job pin\.released_per_io 3\.0[0-2] -> 4\.0[0-2] \(\+(0\.99|1\.00|1\.01) pins/io\)" "$T/list"
ok $? "and its change point, bisected, with its step"
cpid=$(q "$db" "select id from change_point where metric = 'pin.released_per_io'")
"$PINBENCH" regression ack "$cpid" --config "$T/config.ini" > /dev/null 2>&1
ok $? "regression ack ID exits 0"
is "$(q "$db" "select state from change_point where id = $cpid")" "acked" "and the change point is acked"
"$PINBENCH" regression ack 999 --config "$T/config.ini" > /dev/null 2> "$T/ack.err"
is "$?" "2" "an unknown change point is a usage error"
contains "$T/ack.err" "no change point 999" "saying so"
"$PINBENCH" nightly --config "$T/config.ini" --branch nosuch > /dev/null 2> "$T/nb.err"
is "$?" "2" "an unknown --branch is a usage error"
contains "$T/nb.err" "--branch 'nosuch': no [branch nosuch] section" "naming it"
printf '[branch x]\nsource = git:%s@nightly\nfetch = --upload-pack=touch\n' "$repo" > "$T/bad.ini"
"$PINBENCH" nightly --config "$T/bad.ini" > /dev/null 2> "$T/bad.err"
is "$?" "2" "a fetch that is no remote's name is refused"
contains "$T/bad.err" "bad.ini:3: [branch x] fetch: '--upload-pack=touch' is not the name of a git remote" \
	"with the file, line and key"
printf '[branch x]\nsource = git:%s@nosuch\n' "$repo" > "$T/nohead.ini"
"$PINBENCH" nightly --config "$T/nohead.ini" --db "$T/other.db" > /dev/null 2> "$T/nohead.err"
is "$?" "3" "a branch that is not in its repository fails the night"
contains "$T/nohead.err" "[branch x] source: 'nosuch' is not a commit in $repo" "saying which"
done_testing
