# Patch specs as developers send them, made here with real git format-patch:
# a v1 and a v2 series with cover letters in one mbox, a directory with a
# series file, a directory in name order, and bad specs.
. "$(dirname "$0")/lib.bash"

R=$T/repo
git init -q "$R"
g() { git -C "$R" -c user.name='Dev Eloper' -c user.email=dev@example.org "$@"; }
echo one > "$R/a.txt"; g add a.txt; g commit -qm base
echo two > "$R/a.txt"; g commit -qam "a: say two"
echo three > "$R/b.txt"; g add b.txt; g commit -qm "b: add three"
echo four > "$R/c.txt"; g add c.txt; g commit -qm "c: add four"
g format-patch -q --cover-letter --thread -v1 -o "$T/v1" HEAD~3
g format-patch -q --cover-letter --thread -v2 -o "$T/v2" HEAD~3
# v2 first in the mbox, its patches shuffled: order must come from [PATCH k/N]
cat "$T"/v2/v2-0000-*.patch "$T"/v2/v2-0003-*.patch "$T"/v2/v2-0001-*.patch \
	"$T"/v2/v2-0002-*.patch "$T"/v1/*.patch > "$T/both.mbox"
V2_COVER=$(sed -n 's/^Message-Id: <\(.*\)>$/\1/Ip' "$T"/v2/v2-0000-*.patch)
V1_FIRST=$(sed -n 's/^Message-Id: <\(.*\)>$/\1/Ip' "$T"/v1/v1-0001-*.patch)

pb() { local cmd=$1; shift; "$PINBENCH" "$cmd" --db "$T/p.db" "$@"; }

pb kernel patches "$T/both.mbox" > "$T/out" 2> "$T/err"
is "$?" "0" "an mbox with two versions of a series loads"
contains "$T/err" "v2" "says which version was taken"
contains "$T/out" "cover letter: <$V2_COVER>" "the v2 cover letter is kept aside"
is "$(grep -c '^patch ' "$T/out")" "3" "three patches, no cover letter among them"
is "$(sed -n 's/^patch \([0-9]\)\/3 v2 [0-9a-f]\{12\} "\(.*\)"$/\1 \2/p' "$T/out" | tr '\n' ';')" \
	"1 a: say two;2 b: add three;3 c: add four;" "v2's patches in [PATCH k/N] order"
contains "$T/out" "author: Dev Eloper <dev@example.org>" "authors decoded"

pb kernel patches "$T/v1/v1-0002-b-add-three.patch" > "$T/out" 2> "$T/err"
is "$?" "0" "a single format-patch file loads"
is "$(grep -c '^patch ' "$T/out")" "1" "one patch"

# a directory: series file wins over name order
mkdir "$T/dir"
cp "$T"/v1/v1-000[123]-*.patch "$T/dir/"
(cd "$T/dir" && ls v1-0003-* v1-0001-* v1-0002-* > series)
pb kernel patches "$T/dir" > "$T/out" 2> "$T/err"
is "$?" "0" "a directory with a series file loads"
is "$(sed -n 's/^patch [0-9]\/3 v1 [0-9a-f]\{12\} "\(.*\)"$/\1/p' "$T/out" | head -1)" \
	"a: say two" "numbered patches are still ordered by k"
rm "$T/dir/series"
pb kernel patches "$T/dir" > "$T/out" 2> "$T/err"
is "$(grep -c '^patch ' "$T/out")" "3" "without a series file: every *.patch in name order"
printf '../etc/passwd\n' > "$T/dir/series"
pb kernel patches "$T/dir" > "$T/out" 2> "$T/err"
is "$?" "2" "a series entry leaving the directory is refused"
contains "$T/err" "series" "the error names the series file"

# a subject with an encoded CR LF and an escape sequence, an author with a CR:
# each stays on its own line, nothing from the mail starts a line of its own
sed -e 's/^Subject: .*/Subject: =?UTF-8?q?[PATCH]_fs:_x=0D=0Apatch_2:_Bcc:_victim@example.com_=1B[2J?=/' \
	-e 's/^From: .*/From: =?UTF-8?q?Eve_=0Dauthor:_root?= <eve@example.org>/' \
	"$T/v1/v1-0001-a-say-two.patch" > "$T/hostile.patch"
pb kernel patches "$T/hostile.patch" > "$T/out" 2> "$T/err"
is "$?" "0" "a patch with a hostile subject is listed"
is "$(grep -c '' "$T/out")" "3" "three lines: patch, author, message-id"
is "$(grep -c $'\r\|\e' "$T/out")" "0" "no CR and no ESC reach the terminal"
contains "$T/out" 'fs: xpatch 2: Bcc: victim@example.com [2J' "the subject is one cleaned line"
is "$(grep -c '^ *\(patch 2\|Bcc\|author: root\)' "$T/out")" "0" "no line is forged"

# an incomplete series and a file that is not a patch
cat "$T"/v1/v1-0000-*.patch "$T"/v1/v1-0001-*.patch "$T"/v1/v1-0003-*.patch > "$T/gap.mbox"
pb kernel patches "$T/gap.mbox" > "$T/out" 2> "$T/err"
is "$?" "2" "a series with a missing patch exits 2"
contains "$T/err" "2/3" "names the missing patch"
echo "just some words" > "$T/words.txt"
pb kernel patches "$T/words.txt" > "$T/out" 2> "$T/err"
is "$?" "2" "a file without a diff exits 2"
pb kernel patches "$T/nope.patch" > "$T/out" 2> "$T/err"
is "$?" "2" "a missing patch file exits 2"
contains "$T/err" "nope.patch" "names the missing file"
test ! -e "$T/p.db"
ok $? "showing patches writes no database"

done_testing
