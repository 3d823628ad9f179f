# --json: stdout carries the JSON document alone. compare --json over
# kernels built from a tiny fake kernel tree (as kernel_fake.sh's): one is
# built, the other taken from the artifact cache; their build lines, the
# runs' progress and summaries go to stderr. The fake bzImage does not boot,
# so the runs fail fast and there is no document: stdout stays empty.
# post.sh parses the documents of compare --from-db --json, report --json
# and db export.
. "$(dirname "$0")/lib.bash"

REPO=$T/linux
mkdir -p "$T/img"
fake_kernel_tree "$REPO"
git -C "$REPO" init -q
git -C "$REPO" add -A
git -C "$REPO" -c user.name=t -c user.email=t@t commit -qm base

cat > "$T/config.ini" <<EOC
[store]
database = j.db
[matrix]
filesystems = vfat
rw = randread
bs = 4k
size = 16M
runtime = 1
repetitions = 1
[target qemu]
disks = nvme
disk_size = 64M
image_dir = $T/img
[kernels]
cache_dir = $T/cache
[kernel base]
source = git:$REPO@master
[kernel twin]
source = git:$REPO@master
EOC

"$PINBENCH" compare --config "$T/config.ini" --baseline base --patched twin --json \
	> "$T/out" 2> "$T/err"
is "$?" "3" "compare --json of kernels that cannot boot fails (exit 3)"
is "$(wc -c < "$T/out")" "0" "stdout holds nothing but the document, and there is none"
contains "$T/err" "base: 6.99.0-fake (built in" "the build line went to stderr"
contains "$T/err" "twin: 6.99.0-fake (cached, built in" "so did the cached kernel's"
check "with its id and path" grep -q '^  id: .*' "$T/err"
check "and path" grep -q '^  path: .*/bzImage$' "$T/err"
contains "$T/err" "run 1 (base, 6.99.0-fake): boot_failed" "and the runs' summaries"

# the same without --json: the build lines are the command's output
"$PINBENCH" compare --config "$T/config.ini" --baseline base --patched twin \
	> "$T/out" 2> "$T/err"
contains "$T/out" "base: 6.99.0-fake (cached, built in" \
	"without --json, build lines stay on stdout"

done_testing
