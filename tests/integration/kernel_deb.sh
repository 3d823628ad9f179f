# The journal of a deb: tree (kernels/source.c), over Debian's real
# linux-source-6.12: patches that copy, chmod, rename and create files are
# applied, then the next, unrelated preparation must leave the tree
# byte-identical to the tarball (names, types, modes, contents). Only the
# prepare and patch steps run, never a compiler: every kernel here ends
# with a patch that does not apply. Also: the order of the journal's
# fsyncs (strace), and a cache or journal another user could have written.
#
# The tree is unpacked once (~25 s) into a private cache,
# PINBENCH_DEB_TEST_CACHE (default /var/tmp/kernels-test-cache), never the
# user's ~/.cache/pinbench.
. "$(dirname "$0")/lib.bash"

TARBALL=/usr/src/linux-source-6.12.tar.xz
CACHE=${PINBENCH_DEB_TEST_CACHE:-/var/tmp/kernels-test-cache}
TREE=$CACHE/sources/linux-source-6.12
F=Documentation/admin-guide/README.rst
if [ ! -f "$TARBALL" ]; then
	echo "not ok 1 - $TARBALL is missing (make deps installs it)"
	echo "1..1"
	exit 1
fi
if ! command -v strace > /dev/null; then
	echo "not ok 1 - strace is missing (apt-get install strace): it shows the order of the fsyncs"
	echo "1..1"
	exit 1
fi
mkdir -p "$CACHE" && chmod 0755 "$CACHE"

# names, types, modes and SHA-256 of every file: of the tarball (kept in the
# cache, keyed by the tarball's size and mtime) or of the unpacked tree
cat > "$T/manifest.py" <<'EOP'
import hashlib, os, stat, sys, tarfile
def tar_manifest(path):
    out = []
    with tarfile.open(path) as tf:
        for m in tf:
            name = m.name.split('/', 1)[1] if '/' in m.name else ''
            if not name:
                continue
            name = name.rstrip('/')
            if m.isdir():
                out.append('d %o %s' % (m.mode & 0o7777, name))
            elif m.issym():
                out.append('l %s -> %s' % (name, m.linkname))
            else:
                h = hashlib.sha256(tf.extractfile(m).read()).hexdigest()
                out.append('f %o %s %s' % (m.mode & 0o7777, h, name))
    return out
def tree_manifest(top):
    out = []
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(d, n)
            name = os.path.relpath(p, top)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out.append('l %s -> %s' % (name, os.readlink(p)))
            elif stat.S_ISDIR(st.st_mode):
                out.append('d %o %s' % (st.st_mode & 0o7777, name))
            else:
                with open(p, 'rb') as f:
                    h = hashlib.sha256(f.read()).hexdigest()
                out.append('f %o %s %s' % (st.st_mode & 0o7777, h, name))
    return out
m = tar_manifest(sys.argv[2]) if sys.argv[1] == 'tar' else tree_manifest(sys.argv[2])
sys.stdout.buffer.write(('\n'.join(sorted(m)) + '\n').encode('utf-8', 'surrogateescape'))
EOP
PRISTINE=$CACHE/manifest-$(stat -c '%s-%Y' "$TARBALL").txt
if [ ! -s "$PRISTINE" ]; then
	python3 "$T/manifest.py" tar "$TARBALL" > "$PRISTINE.tmp" && mv "$PRISTINE.tmp" "$PRISTINE"
fi

P=$T/p
mkdir -p "$P"
hdr() { printf 'From: pinbench test <test@pinbench.invalid>\nSubject: [PATCH] %s\n\n---\n' "$1"; }
# a copy to a C-quoted name (quote, tab), as git writes one
{ hdr 'docs: copy the README'
  printf 'diff --git a/%s "b/Documentation/admin-guide/README copy \\"1\\"\\t.rst"\n' "$F"
  printf 'similarity index 100%%\ncopy from %s\n' "$F"
  printf 'copy to "Documentation/admin-guide/README copy \\"1\\"\\t.rst"\n'; } > "$P/1-copy.patch"
# mode changes only: no ---/+++ lines, the names are on the diff --git line
{ hdr 'modes: swap two'
  printf 'diff --git a/%s b/%s\nold mode 100644\nnew mode 100755\n' "$F" "$F"
  printf 'diff --git a/scripts/checkpatch.pl b/scripts/checkpatch.pl\nold mode 100755\nnew mode 100644\n'
} > "$P/2-mode.patch"
# a pure rename into a directory that does not exist yet
{ hdr 'docs: move the README'
  printf 'diff --git a/%s b/Documentation/admin-guide/pinbench-new/deeper/README.rst\n' "$F"
  printf 'similarity index 100%%\nrename from %s\n' "$F"
  printf 'rename to Documentation/admin-guide/pinbench-new/deeper/README.rst\n'; } > "$P/3-rename.patch"
# a new file under a new directory, both named in octal escapes
Q='"b/Documentation/pinbench-d\303\251j\303\240/n\303\251.txt"'
{ hdr 'docs: a new file'
  printf 'diff --git %s %s\nnew file mode 100644\nindex 0000000..ce01362\n' "${Q/b\//a/}" "$Q"
  printf -- '--- /dev/null\n+++ %s\n@@ -0,0 +1 @@\n+hello\n' "$Q"; } > "$P/4-new.patch"
# and one that never applies, so that no build starts
{ hdr 'does not apply'
  printf 'diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n' "$F" "$F" "$F" "$F"
  printf '@@ -1 +1 @@\n-not a line of the README\n+nor this\n'; } > "$P/stop.patch"

cat > "$T/config.ini" <<EOC
[store]
database = $T/p.db
[kernels]
cache_dir = $CACHE
[kernel headers]
source = deb:linux-source-6.12
patches = $P/1-copy.patch
	$P/2-mode.patch
	$P/3-rename.patch
	$P/4-new.patch
	$P/stop.patch
[kernel stop]
source = deb:linux-source-6.12
patches = $P/stop.patch
EOC
pb() { local cmd=$1; shift; "$PINBENCH" "$cmd" --config "$T/config.ini" "$@"; }

# whatever an earlier run left, start from a prepared tree
pb kernel build stop > "$T/out" 2> "$T/err"
is "$?" "2" "the stop kernel stops at its patch"
contains "$T/err" "does not apply" "because its patch does not apply"

(umask 002; exec strace -f -y -s 512 -o "$T/strace" -e trace=fsync,fdatasync,write,rename,renameat,renameat2,mkdir,openat \
	"$PINBENCH" kernel build --config "$T/config.ini" headers) > "$T/out" 2> "$T/err"
is "$?" "2" "copy, mode, rename and new-file patches apply (umask 002), the last one does not"
contains "$T/err" "stop.patch" "the one that does not apply is named"
NEW=$'Documentation/pinbench-d\303\251j\303\240/n\303\251.txt'
check "the copy is in the tree" test -f "$TREE/Documentation/admin-guide/README copy \"1\""$'\t'".rst"
check "the rename is in the tree" test -f "$TREE/Documentation/admin-guide/pinbench-new/deeper/README.rst"
check "and the renamed file is gone" test ! -e "$TREE/$F"
is "$(stat -c %a "$TREE/Documentation/admin-guide/pinbench-new/deeper/README.rst" \
	"$TREE/scripts/checkpatch.pl")" $'755\n644' "the modes changed"
check "the new file is in the tree" test -f "$TREE/$NEW"
cp "$TREE.journal/list" "$T/journal"
is "$(stat -c %a "$TREE.journal/list")" "644" "the journal is not group-writable, whatever the umask"
contains "$T/journal" "M $F" "the renamed file is journaled under its own name"
contains "$T/journal" "A Documentation/admin-guide/pinbench-new/deeper/README.rst" \
	"the rename's target is journaled as new"
contains "$T/journal" "D Documentation/admin-guide/pinbench-new" "and so is the directory it made"
contains "$T/journal" "M scripts/checkpatch.pl" "a mode-only change is journaled"
contains "$T/journal" "A $NEW" "the octal-quoted name is journaled unquoted"

# the pristine copy and its directory reach the disk before the entry naming
# it is written, the entry before patch(1) changes the tree
python3 - "$T/strace" "$TREE" "$F" > "$T/order" <<'EOP'
import re, sys
lines = open(sys.argv[1], encoding='utf-8', errors='replace').read().splitlines()
tree, f = sys.argv[2], sys.argv[3]
orig = tree + '.journal/orig/' + f
def first(pred, start=0):
    for i in range(start, len(lines)):
        if pred(lines[i]):
            return i
    return -1
entry = first(lambda l: 'write(' in l and '.journal/list>' in l and '"M %s\\n"' % f in l)
copy_sync = first(lambda l: re.search(r'fsync\(\d+<%s>\)' % re.escape(orig), l))
dir_sync = first(lambda l: re.search(r'fsync\(\d+<%s>\)' % re.escape(orig.rsplit('/', 1)[0]), l))
list_sync = first(lambda l: re.search(r'fsync\(\d+<[^>]*\.journal/list>\)', l), entry + 1)
change = first(lambda l: 'pinbench-new' in l and 'openat' not in l and '.journal' not in l)
print('entry=%d copy_sync=%d dir_sync=%d list_sync=%d change=%d' %
      (entry, copy_sync, dir_sync, list_sync, change))
ok = 0 <= copy_sync < entry and 0 <= dir_sync < entry and entry < list_sync < change
sys.exit(0 if ok else 1)
EOP
ok $? "fsync(copy), fsync(its directory) < write(M entry) < fsync(list) < the tree changes"
sed 's/^/# /' "$T/order"

pb kernel build stop > "$T/out" 2> "$T/err"
is "$?" "2" "the next, unrelated preparation runs"
check "it leaves no journal" test ! -e "$TREE.journal"
python3 "$T/manifest.py" tree "$TREE" > "$T/after"
if cmp -s "$PRISTINE" "$T/after"; then r=0; else r=1; diff "$PRISTINE" "$T/after" | head -20 | sed 's/^/# /'; fi
ok $r "the tree is byte-identical to the tarball: names, types, modes, contents"

# a journal is replayed only when every entry stays in the tree and it is ours
echo victim > "$T/victim"
mkdir -p "$T/outside" && echo victim > "$T/outside/victim"
journal() { mkdir -p "$TREE.journal" && printf '%s\n' "$@" > "$TREE.journal/list"; }
for bad in "A ../../../../../..$T/victim" "A /$T/victim" "X $F"; do
	journal "$bad"
	pb kernel build stop > "$T/out" 2> "$T/err"
	is "$?" "3" "journal entry '${bad%% *} ${bad#* }' refused"
	contains "$T/err" "bad journal entry" "with an error naming it"
	check "nothing outside the tree is removed" test -f "$T/victim"
done
ln -s "$T/outside" "$TREE/pinbench-link"
journal "A pinbench-link/victim"
pb kernel build stop > "$T/out" 2> "$T/err"
is "$?" "3" "an entry through a symlink is refused"
contains "$T/err" "leads through '$TREE/pinbench-link', which is not a directory" "naming the symlink"
check "the file behind it is untouched" test -f "$T/outside/victim"
rm -f "$TREE/pinbench-link"
journal "A pinbench-no-such-file"
chown nobody "$TREE.journal/list"
pb kernel build stop > "$T/out" 2> "$T/err"
is "$?" "3" "a journal owned by another user is refused"
contains "$T/err" "is owned by uid $(id -u nobody)" "saying who owns it"
chown 0 "$TREE.journal/list"
chmod 0777 "$TREE.journal"
pb kernel build stop > "$T/out" 2> "$T/err"
is "$?" "3" "a journal others may write is refused"
contains "$T/err" "writable by group or others (mode 0777)" "saying so with the mode"
chmod 0755 "$TREE.journal"
chmod g+w "$CACHE/sources"
pb kernel build stop > "$T/out" 2> "$T/err"
is "$?" "3" "a sources directory others may write is refused"
contains "$T/err" "source directory '$CACHE/sources' is writable by group" "named"
chmod g-w "$CACHE/sources"
pb kernel build stop > "$T/out" 2> "$T/err"
is "$?" "2" "once all is ours again, the journal is replayed"
check "and gone" test ! -e "$TREE.journal"

done_testing
