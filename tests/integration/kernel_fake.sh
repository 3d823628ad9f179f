# The kernel build pipeline on a tiny fake kernel tree in git (fast): a
# git: worktree, git am, the artifact cache (hit, key changes), ad-hoc
# variants, a failing build, patches that do not apply, bad sources.
# tests/integration/kernel_build.sh builds real Linux kernels.
. "$(dirname "$0")/lib.bash"

CACHE=$T/cache
REPO=$T/linux
fake_kernel_tree "$REPO"
for i in 1 2 3 4 5 6 7 8 9 10; do echo "int f$i;" > "$REPO/fs/f$i.c"; done
git -C "$REPO" init -q
git -C "$REPO" add -A
git -C "$REPO" -c user.name=t -c user.email=t@t commit -qm base

# a patch made by git format-patch, and one whose context is wrong
git -C "$REPO" checkout -q -b topic
echo 'int dio = 2;' > "$REPO/fs/direct-io.c"
git -C "$REPO" -c user.name='Jörg Patcher' -c user.email=j@example.org commit -qam \
	'fs/direct-io: use two'
git -C "$REPO" format-patch -q -1 --thread=shallow -o "$T/p" topic
git -C "$REPO" checkout -q -
PATCH=$(ls "$T"/p/*.patch)
sed 's/^-int dio = 1;/-int dio = 7;/' "$PATCH" > "$T/bad.patch"
printf 'diff --git a/fs/f1.c b/fs/f1.c\n--- a/fs/f1.c\n+++ b/fs/f1.c\n@@ -1 +1 @@\n-int f1;\n+BROKEN f1;\n' \
	> "$T/broken.patch"

cat > "$T/config.ini" <<EOC
[store]
database = $T/p.db
[kernels]
cache_dir = $CACHE
[kernel base]
source = git:$REPO@master
[kernel patched]
source = git:$REPO@master
patches = $PATCH
[kernel wrong]
source = git:$REPO@master
patches = $T/bad.patch
[kernel broken]
source = git:$REPO@master
patches = $T/broken.patch
[kernel nosuchpkg]
source = deb:linux-source-9.99
[kernel readonly]
source = dir:$REPO
patches = $PATCH
EOC
pb() { local cmd=$1; shift; "$PINBENCH" "$cmd" --config "$T/config.ini" "$@"; }

pb kernel build base > "$T/out" 2> "$T/err"
is "$?" "0" "base builds"
contains "$T/out" "base: 6.99.0-fake (built in" "release and build time printed"
contains "$T/err" "objects compiled" "progress names the objects compiled"
BZ=$(sed -n 's/^  path: *//p' "$T/out")
ok "$([ -f "$BZ" ]; echo $?)" "bzImage is in the artifact cache"
KEY=$(sed -n 's/^  id: *//p' "$T/out")
is "$(dirname "$BZ")" "$CACHE/artifacts/$KEY" "the artifact is named by its key"
for f in config System.map build.log manifest.json; do
	ok "$([ -f "$CACHE/artifacts/$KEY/$f" ]; echo $?)" "artifact holds $f"
done
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["release"]=="6.99.0-fake" and m["key"]==sys.argv[2]' \
	"$CACHE/artifacts/$KEY/manifest.json" "$KEY"
ok $? "manifest.json is JSON with the release and the key"
contains "$CACHE/artifacts/$KEY/build.log" "  CC      fs/f1.o" "build log kept"

pb kernel build base > "$T/out2" 2> "$T/err"
is "$?" "0" "second build succeeds"
contains "$T/out2" "(cached" "second build with nothing changed is a cache hit"
is "$(sed -n 's/^  id: *//p' "$T/out2")" "$KEY" "same key"
is "$(pb kernel path base)" "$BZ" "kernel path prints the bzImage"

pb kernel build patched > "$T/out" 2> "$T/err"
is "$?" "0" "patched builds (git am)"
contains "$T/out" "1 objects compiled" "the patched build recompiles only the patched file"
PBZ=$(sed -n 's/^  path: *//p' "$T/out")
check "patched bzImage differs from the base one" test "$(cat "$PBZ")" != "$(cat "$BZ")"
grep -q 'int dio = 2' "$PBZ"
ok $? "patched bzImage carries the patch"
is "$(git -C "$REPO" status --porcelain)$(git -C "$REPO" show master:fs/direct-io.c)" \
	"int dio = 1;" "the user's repository and its branch are untouched"
pb kernel build base > "$T/out" 2> "$T/err"
contains "$T/out" "(cached" "base is still cached after the patched build"

# an ad-hoc variant: the same inputs as 'patched', so the same artifact
pb kernel build --from base --patch "$PATCH" --name adhoc > "$T/out" 2> "$T/err"
is "$?" "0" "kernel build --from --patch --name"
contains "$T/out" "adhoc: 6.99.0-fake (cached" "same inputs as 'patched': cached"
is "$(q "$T/p.db" "SELECT count(*) FROM build WHERE name = 'adhoc' AND state = 'done'")" "1" \
	"the ad-hoc name is recorded"
is "$(q "$T/p.db" "SELECT subject || '|' || author FROM build_patch p JOIN build b ON b.id = p.build WHERE b.name = 'patched' AND seq = 1")" \
	"fs/direct-io: use two|Jörg Patcher <j@example.org>" "patch subject and author recorded"
MSGID=$(sed -n 's/^Message-Id: <\(.*\)>$/\1/Ip' "$PATCH")
is "$(q "$T/p.db" "SELECT message_id FROM build_patch p JOIN build b ON b.id = p.build WHERE b.name = 'patched'")" \
	"$MSGID" "patch Message-ID recorded"
pb kernel list > "$T/list"
contains "$T/list" "patched" "kernel list shows the patched kernel"
contains "$T/list" "patch 1: fs/direct-io: use two <$MSGID>" "kernel list shows patch subjects"

# a subject stored by an older pinbench, with a CR LF in it: one escaped line
q "$T/p.db" "UPDATE build_patch SET subject = 'fs: x' || char(13) || char(10) || 'patch 2: Bcc: v@example.com'
	WHERE seq = 1 AND build = (SELECT max(id) FROM build WHERE name = 'patched' AND state = 'done')"
pb kernel list > "$T/list"
contains "$T/list" 'patch 1: fs: x\x0d\x0apatch 2: Bcc: v@example.com' "kernel list escapes a stored CR LF"
is "$(grep -c '^ *patch 2' "$T/list")" "0" "kernel list shows no forged patch line"

# two builds of the same new kernel at once: one builds, the other waits and finds it
cat >> "$T/config.ini" <<EOC
[kernel twice]
source = git:$REPO@master
patches = $PATCH
	$T/p2.patch
EOC
printf 'diff --git a/fs/f2.c b/fs/f2.c\n--- a/fs/f2.c\n+++ b/fs/f2.c\n@@ -1 +1 @@\n-int f2;\n+int f2 = 2;\n' \
	> "$T/p2.patch"
FAKE_BUILD_SLEEP=2 pb kernel build twice > "$T/out1" 2> "$T/err1" &
sleep 0.5
FAKE_BUILD_SLEEP=2 pb kernel build twice > "$T/out2" 2> "$T/err2"
r2=$?
wait $!
r1=$?
is "$r1$r2" "00" "two concurrent builds of one kernel both succeed"
cat "$T/out1" "$T/out2" > "$T/both"
is "$(grep -c 'objects compiled' "$T/both")" "1" "only one of them compiles"
contains "$T/both" "(cached" "the other one finds the artifact"
contains "$T/err2" "waiting for another pinbench" "and says it waited for the lock"
is "$(ls -A "$CACHE/artifacts" | grep -c '^\.staging')" "0" "no staging directories are left behind"

# a patch that does not apply: named, with the file; nothing built
pb kernel build wrong > "$T/out" 2> "$T/err"
is "$?" "2" "a patch that does not apply exits 2"
contains "$T/err" "bad.patch" "the error names the patch"
contains "$T/err" "fs/direct-io.c" "the error names the file"
pb kernel path wrong > /dev/null 2>&1
is "$?" "2" "no artifact for a kernel whose patch did not apply"

# a failed build: first error, log kept, recorded, never taken for an artifact
pb kernel build broken > "$T/out" 2> "$T/err"
is "$?" "3" "a failing build exits 3"
contains "$T/err" "first error: fs/f1.c:1:1: error: BROKEN is not C" "first compiler error printed"
contains "$T/err" "last " "tail of the log printed"
is "$(q "$T/p.db" "SELECT state FROM build WHERE name = 'broken'")" "failed" "recorded as failed"
LOG=$(q "$T/p.db" "SELECT log FROM build WHERE name = 'broken'")
contains "$LOG" "BROKEN is not C" "the full log is kept"
pb kernel build broken > /dev/null 2>&1
is "$?" "3" "a second attempt builds again instead of using a broken artifact"
pb kernel build base > "$T/out" 2> "$T/err"
contains "$T/out" "(cached" "the broken build left the base artifact alone"

# the tree is reset between builds: a later build of base sees pristine sources
rm -rf "$CACHE/artifacts"
pb kernel build base > "$T/out" 2> "$T/err"
BZ=$(sed -n 's/^  path: *//p' "$T/out")
grep -q 'int dio = 1' "$BZ"
ok $? "a rebuild of base after other builds has no patch in it"
grep -q 'BROKEN' "$BZ"
is "$?" "1" "nor the broken patch"

# a cache another user owns or may write is not trusted: it holds the kernels we boot
chown nobody "$CACHE"
pb kernel build base > "$T/out" 2> "$T/err"
is "$?" "2" "a cache directory owned by another user is refused"
contains "$T/err" "cache directory '$CACHE' is owned by uid $(id -u nobody), not by uid $(id -u)" \
	"naming the directory and both users"
chown "$(id -u)" "$CACHE"
chmod 0777 "$CACHE"
pb kernel build base > "$T/out" 2> "$T/err"
is "$?" "2" "a cache directory others may write is refused"
contains "$T/err" "cache directory '$CACHE' is writable by group or others (mode 0777)" \
	"saying so with the mode"
chmod 0755 "$CACHE"
ln -s "$CACHE" "$T/cache-link"
sed -i "s|^cache_dir = .*|cache_dir = $T/cache-link|" "$T/config.ini"
pb kernel build base > "$T/out" 2> "$T/err"
is "$?" "0" "a configured cache path may be a symlink to a directory of ours"
sed -i "s|^cache_dir = .*|cache_dir = $CACHE|" "$T/config.ini"

# bad sources and names
pb kernel build nosuchpkg > "$T/out" 2> "$T/err"
is "$?" "2" "a missing source package exits 2"
contains "$T/err" "apt-get install linux-source-9.99" "says how to install it"
pb kernel build readonly > "$T/out" 2> "$T/err"
is "$?" "2" "patches on a dir: source exit 2"
contains "$T/err" "read-only" "says dir: sources are read-only"
pb kernel build nosuch > "$T/out" 2> "$T/err"
is "$?" "2" "an unknown kernel name exits 2"
contains "$T/err" "no kernel 'nosuch'" "names the unknown kernel"
printf '[kernel x]\npatches = a.patch\n' > "$T/nosrc.ini"
"$PINBENCH" kernel --config "$T/nosrc.ini" list > /dev/null 2> "$T/err"
is "$?" "2" "a kernel section without source exits 2"
contains "$T/err" "[kernel x] needs a 'source'" "says what is missing"
printf '[kernel x]\nsource = svn:foo\n' > "$T/badsrc.ini"
"$PINBENCH" kernel --config "$T/badsrc.ini" list > /dev/null 2> "$T/err"
contains "$T/err" "badsrc.ini:2: [kernel x] source: 'svn:foo' is not" "bad source kind named with its line"

done_testing
