# TAP helpers for the integration tests; each test script sources this.
# PINBENCH is the binary under test (make integration sets the ASan build).
set -u
PINBENCH=${PINBENCH:-$(pwd)/pinbench}
T=$(mktemp -d /tmp/pinbench-it.XXXXXX)
n=0
failed=0
trap '[ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT

ok() {  # ok CONDITION-EXIT-STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

check() {  # check NAME COMMAND... : passes when COMMAND succeeds
	local name=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$name"
}

is() {  # is GOT WANT NAME
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		echo "#   got '$1', want '$2'"
		failed=$((failed + 1))
	fi
}

contains() {  # contains FILE TEXT NAME
	n=$((n + 1))
	if grep -qF -- "$2" "$1"; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		echo "#   '$2' not in $1:"
		sed 's/^/#   /' "$1" | head -20
		failed=$((failed + 1))
	fi
}

# A skip passes only when tests/skips.txt justifies it, by a line
# "SCRIPT: NAME — WHY IT MAY BE SKIPPED"; any other skip fails, so that a
# test that stopped running cannot hide in a green run. Allowed skips are
# appended to $PINBENCH_SKIP_LOG (make test prints them at its end).
SKIPS_FILE=${PINBENCH_SKIPS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/skips.txt}
script_name=$(basename "$0")

skip_listed() {  # skip_listed "SCRIPT: NAME" : succeeds when a justified line lists it
	local line reason
	[ -r "$SKIPS_FILE" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in '#'* | '') continue ;; esac
		[ "${line%% — *}" = "$1" ] || continue
		reason=${line#* — }
		[ "$reason" != "$line" ] && [ -n "${reason// /}" ] && return 0
	done < "$SKIPS_FILE"
	return 1
}

skip() {  # skip NAME REASON
	n=$((n + 1))
	if skip_listed "$script_name: $1"; then
		echo "ok $n - $1 # SKIP $2"
		if [ -n "${PINBENCH_SKIP_LOG:-}" ]; then
			echo "$script_name: $1 — $2" >> "$PINBENCH_SKIP_LOG"
		fi
	else
		echo "not ok $n - $1 (skipped: $2)"
		echo "#   a skip fails unless justified: make the test run here, or add the line"
		echo "#   '$script_name: $1 — WHY IT MAY BE SKIPPED' to $SKIPS_FILE"
		failed=$((failed + 1))
	fi
}

q() {  # q DB SQL : one value from sqlite3
	sqlite3 -batch -noheader "$1" "$2"
}

# A small, fast config: 1 s jobs in a scratch directory of our own.
tiny_config() {  # tiny_config FILE [extra matrix lines]
	cat > "$1" <<EOC
[store]
database = tiny.db
[matrix]
devices = scratch
rw = randread, write
bs = 4k
iodepth = 1
ioengine = psync
size = 8M
runtime = 1
repetitions = 2
${2:-}
[target host]
scratch_dir = $T/scratch
[collectors]
vmstat = on
perf_stat = on
perf_events = task-clock, context-switches, page-faults
EOC
}

done_testing() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

# A tiny fake kernel tree in DIR: a Makefile with the targets pinbench uses
# (its "CC" lines like Kbuild's, rebuilding only what changed; a file holding
# BROKEN fails to compile; FAKE_BUILD_SLEEP delays the build), a Kconfig and
# fs/direct-io.c. The caller adds files and makes it a git tree if it likes.
fake_kernel_tree() {  # fake_kernel_tree DIR
	mkdir -p "$1/fs" "$1/scripts/kconfig"
	cat > "$1/Makefile" <<'EOM'
O ?= .
tinyconfig:
	@mkdir -p $(O) && printf 'CONFIG_64BIT=y\n' > $(O)/.config
olddefconfig:
	@cat $(O)/.config > /dev/null
kernelrelease:
	@echo 6.99.0-fake
bzImage:
	@sleep $${FAKE_BUILD_SLEEP:-0}
	@for f in fs/*.c; do \
		o=$(O)/$${f%.c}.o; mkdir -p $(O)/fs; \
		if [ ! -e $$o ] || [ $$f -nt $$o ]; then echo "  CC      $${f%.c}.o"; \
			grep -q BROKEN $$f && { echo "$$f:1:1: error: BROKEN is not C" >&2; exit 1; }; \
			cp $$f $$o; fi; \
	done
	@mkdir -p $(O)/arch/x86/boot
	@cat $(O)/fs/*.o > $(O)/arch/x86/boot/bzImage
	@echo "ffffffff81000000 T _text" > $(O)/System.map
EOM
	echo 'config 64BIT' > "$1/Kconfig"
	echo 'int dio = 1;' > "$1/fs/direct-io.c"
}
