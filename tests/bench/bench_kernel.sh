# Kernel build figures (not a test): cache hit, one-file patch over a built
# baseline, and the floor that patch build is measured against (plain make in
# the same object directory after touching the one file). The cold build is
# timed only with PINBENCH_BENCH_COLD=1 (~12 min on 2 cores, into a fresh
# cache with ccache off); otherwise the cache's own record of it is printed.
set -u
REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
PINBENCH=${PINBENCH:-$REPO_DIR/pinbench}
CACHE=${PINBENCH_TEST_CACHE:-$HOME/.cache/pinbench}
RUNS=${RUNS:-3}
T=$(mktemp -d /tmp/pinbench-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

write_config() {  # write_config CACHE_DIR CCACHE
	cat > "$T/config.ini" <<EOC
[store]
database = $T/bench.db
[kernels]
cache_dir = $1
ccache = $2
[kernel baseline]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
[kernel onefile]
source = deb:linux-source-6.12
configs = $REPO_DIR/kernels/configs/qemu.config
patches = $T/onefile.patch
EOC
}

onefile_patch() {  # a patch to fs/direct-io.c no earlier build has seen
	cat > "$T/onefile.patch" <<EOP
From: pinbench bench <bench@pinbench.invalid>
Subject: [PATCH] fs/direct-io: bench $1

---
--- a/fs/direct-io.c
+++ b/fs/direct-io.c
@@ -38,6 +38,8 @@
 #include <linux/uio.h>
 #include <linux/atomic.h>
 
+__attribute__((used)) static const char pinbench_bench[] = "bench-$1";
+
 #include "internal.h"
 
 /*
EOP
}

pb() { local cmd=$1; shift; "$PINBENCH" "$cmd" --config "$T/config.ini" -q "$@"; }

if [ "${PINBENCH_BENCH_COLD:-}" = 1 ]; then
	write_config "$T/cold-cache" off
	t0=$(now)
	pb kernel build baseline > "$T/out" || exit 1
	echo "cold build (fresh cache, no ccache): $(echo "$(now) - $t0" | bc) s"
	rm -rf "$T/cold-cache"
fi

write_config "$CACHE" on
pb kernel build baseline > "$T/out" || exit 1
ART=$(dirname "$(sed -n 's/^  path: *//p' "$T/out")")
python3 - "$ART/manifest.json" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1]))
print("baseline as built into the cache: %.0f s, %d objects compiled (%s)"
      % (m["build_seconds"], m["objects_compiled"], m["release"]))
EOF2

for i in $(seq "$RUNS"); do
	t0=$(now)
	pb kernel build baseline > /dev/null || exit 1
	echo "$(now) - $t0" | bc
done > "$T/hit"
echo "no-change rebuild (cache hit): median $(median < "$T/hit") s over $RUNS runs"

for i in $(seq "$RUNS"); do
	onefile_patch "$(date +%s%N)"
	t0=$(now)
	pb kernel build onefile > "$T/out" || exit 1
	echo "$(now) - $t0" | bc >> "$T/patch"
	sed -n 's/.*, \([0-9]*\) objects compiled.*/\1/p' "$T/out" >> "$T/objs"
	rm -rf "$CACHE/artifacts/$(sed -n 's/^  id: *//p' "$T/out")"
done
PATCH_S=$(median < "$T/patch")
echo "one-file patch over the built baseline: median $PATCH_S s over $RUNS runs" \
	"($(tr '\n' ' ' < "$T/objs")objects compiled)"

# the floor: make alone, same object directory, after touching the one file
TREE=$CACHE/sources/linux-source-6.12
OBJ=$(ls -d "$CACHE"/obj/linux-source-6.12/*/ | while read -r d; do
	[ -f "$d/vmlinux" ] && echo "$d"; done | head -1)
for i in $(seq "$RUNS"); do
	touch "$TREE/fs/direct-io.c"
	t0=$(now)
	env KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 1970" KBUILD_BUILD_USER=pinbench \
		KBUILD_BUILD_HOST=pinbench KBUILD_BUILD_VERSION=1 \
		make -s -C "$TREE" O="$OBJ" -j"$(nproc)" CC="ccache gcc" bzImage > /dev/null || exit 1
	echo "$(now) - $t0" | bc
done > "$T/floor"
FLOOR=$(median < "$T/floor")
echo "floor (make in the same object dir after touching fs/direct-io.c): median $FLOOR s"
echo "one-file patch / floor: $(echo "scale=2; $PATCH_S / $FLOOR" | bc) (goal: one-file patch <= 24 s)"
