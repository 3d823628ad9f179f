# The command line: each command's --help is printed from the command table
# (runner/main.c), the command accepts every option its help lists, and an
# option it does not take is a one-line usage error (exit 2).
. "$(dirname "$0")/lib.bash"

"$PINBENCH" --help > "$T/top"
ok $? "pinbench --help exits 0"
commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' "$T/top")
is "$(echo $commands)" "run compare nightly regression calibrate report post kernel db agent help version" \
	"pinbench --help lists every command"
"$PINBENCH" help > "$T/top2"
check "pinbench help prints the same" cmp -s "$T/top" "$T/top2"

# what a command needs besides the option under test, so that it stops at
# once: a subcommand, and a config that is not there (agent: a missing plan)
rest() {  # rest CMD
	case $1 in
	kernel | db | regression) echo "list --config $T/none.ini" ;;
	agent) echo "--plan $T/none.plan" ;;
	help | version) echo "" ;;
	*) echo "--config $T/none.ini" ;;
	esac
}

# "  -t, --target host|qemu    ..." -> "target t required", "      --html[=DIR]" -> "html - optional"
options() {  # options HELP-FILE : NAME LETTER KIND per option (KIND: none, required, optional)
	sed -nE 's/^  (-([A-Za-z]), |    )--([a-z][a-z-]*)(\[=[^]]*\]| [^ ]+)?( .*)?$/\3 =\2 \4/p' "$1" |
	while read -r name letter arg; do
		letter=${letter#=}
		case $arg in '') kind=none ;; '[='*) kind=optional ;; *) kind=required ;; esac
		echo "$name ${letter:--} $kind"
	done
}

refused() {  # refused ERR-FILE : did a parser refuse an option?
	grep -qE "unknown option|unrecognized option|invalid option|needs a value|requires an argument|takes no value|usage: pinbench" "$1"
}

for cmd in $commands; do
	"$PINBENCH" "$cmd" --help > "$T/help" 2> "$T/err"
	is "$?" "0" "$cmd --help exits 0"
	head -1 "$T/help" > "$T/first"
	contains "$T/first" "usage: pinbench $cmd" "$cmd --help starts with its usage line"
	"$PINBENCH" "$cmd" -h > "$T/help2" 2>&1
	check "$cmd -h prints the same" cmp -s "$T/help" "$T/help2"
	"$PINBENCH" help "$cmd" > "$T/help2" 2>&1
	check "pinbench help $cmd prints the same" cmp -s "$T/help" "$T/help2"
	options "$T/help" > "$T/opts"
	contains "$T/opts" "help h none" "$cmd --help lists --help"
	case $cmd in agent | help | version) ;; *)
		contains "$T/opts" "config c required" "$cmd --help lists the shared options" ;;
	esac
	listed=0
	while read -r name letter kind; do
		[ "$name" = help ] && continue
		listed=$((listed + 1))
		case $kind in
		none) long=(--"$name"); short=(-"$letter") ;;
		required) long=(--"$name" 1); short=(-"$letter" 1) ;;
		optional) long=(--"$name=$T/opt"); short=() ;;
		esac
		timeout 60 "$PINBENCH" "$cmd" "${long[@]}" $(rest "$cmd") > /dev/null 2> "$T/err" < /dev/null
		! refused "$T/err"
		ok $? "$cmd accepts --$name"
		refused "$T/err" && sed 's/^/#   /' "$T/err" | head -3
		if [ "$letter" != - ] && [ ${#short[@]} -gt 0 ]; then
			timeout 60 "$PINBENCH" "$cmd" "${short[@]}" $(rest "$cmd") > /dev/null 2> "$T/err" < /dev/null
			! refused "$T/err"
			ok $? "$cmd accepts -$letter"
		fi
	done < "$T/opts"
	echo "# $cmd: $listed options of its own and shared"

	"$PINBENCH" "$cmd" --no-such-option > "$T/out" 2> "$T/err"
	is "$?" "2" "$cmd --no-such-option exits 2"
	is "$(wc -l < "$T/err")" "1" "with one line"
	contains "$T/err" "$cmd: unknown option '--no-such-option'" "which names the option"
	is "$(wc -c < "$T/out")" "0" "and nothing on stdout"
	req=$(awk '$3 == "required" { print $1; exit }' "$T/opts")
	if [ -n "$req" ]; then
		"$PINBENCH" "$cmd" "--$req" > /dev/null 2> "$T/err"
		is "$?" "2" "$cmd --$req without its value exits 2"
		contains "$T/err" "option '--$req' needs a value" "saying so in one line ($(wc -l < "$T/err"))"
	fi
done

# a usage error after the options were taken prints the usage line alone
"$PINBENCH" db > /dev/null 2> "$T/err"
is "$?" "2" "db without a subcommand exits 2"
is "$(cat "$T/err")" "usage: pinbench db list | show RUN | export [--format json|csv] [RUN] (see 'pinbench db --help')" \
	"with the usage line of the table"

# the man page and the completion are generated from the same tables
"$PINBENCH" help man > "$T/pinbench.1"
ok $? "help man exits 0"
groff -man -Tutf8 -ww -z "$T/pinbench.1" > "$T/groff" 2>&1
check "the man page is clean roff (groff -ww: $(head -1 "$T/groff"))" test ! -s "$T/groff"
MANWIDTH=100 man -l "$T/pinbench.1" > "$T/man" 2> /dev/null
for cmd in $commands; do
	"$PINBENCH" "$cmd" --help | sed -n 2p | sed 's/^  //' > "$T/summary"
	check "the man page has $cmd with its summary" grep -qF "$(cut -c1-60 "$T/summary")" "$T/man"
done
contains "$T/man" "throughput_threshold" "and the config reference"
"$PINBENCH" help completion > "$T/complete.bash"
check "the completion script is bash" bash -n "$T/complete.bash"
printf '[kernel alpha]\nsource = deb:linux-source-6.12\n[kernel beta-2]\nsource = deb:linux-source-6.1\n' \
	> "$T/k.ini"
complete_words() {  # complete_words WORD... : what bash completes the last word to
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
		_pinbench; echo "${COMPREPLY[*]}"' _ "$T/complete.bash" "$@"
}
is "$(complete_words pinbench compa)" "compare" "a command completes"
is "$(complete_words pinbench compare --config "$T/k.ini" --baseline '')" "alpha beta-2" \
	"--baseline completes the [kernel] names of the --config file"
is "$(complete_words pinbench compare --bo)" "--boots" "an option of the command completes"
is "$(complete_words pinbench run --target '')" "host qemu" "and a choice its help lists"
is "$(complete_words pinbench kernel build -c "$T/k.ini" '')" "alpha beta-2" \
	"kernel build completes kernel names"
# compgen -W expands its words: a section name from a config must never run
printf '[kernel ok]\n[kernel $(touch %s)]\n[kernel `touch %s`]\n' "$T/pwned" "$T/pwned" > "$T/hostile.ini"
is "$(complete_words pinbench run --config "$T/hostile.ini" --kernel '')" "ok" \
	"a [kernel] name pinbench would refuse is not offered"
check "and nothing in the config ran" test ! -e "$T/pwned"

# make install: where pinbench finds its guest init and the shipped files
REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$REPO_DIR" install DESTDIR="$T/root" PREFIX=/usr > "$T/install" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr ($(tail -1 "$T/install"))"
for f in bin/pinbench lib/pinbench/pinbench lib/pinbench/pinbench-init share/man/man1/pinbench.1 \
	share/bash-completion/completions/pinbench share/pinbench/config.ini \
	share/pinbench/kernels/configs/qemu.config \
	share/pinbench/examples/patches/0001-fs-direct-io-extra-pin-per-page.patch \
	share/pinbench/examples/systemd/pinbench-nightly.service \
	share/pinbench/examples/systemd/pinbench-nightly.timer; do
	check "installs $f" test -s "$T/root/usr/$f"
done
is "$("$T/root/usr/bin/pinbench" version)" "$("$PINBENCH" version)" "the installed pinbench runs"
"$T/root/usr/bin/pinbench" kernel path patched --config "$T/root/usr/share/pinbench/config.ini" \
	> /dev/null 2> "$T/kpath"
check "the installed config finds its kernel fragments and patch ($(head -1 "$T/kpath"))" \
	sh -c "! grep -q 'cannot read\|No such file' '$T/kpath'"

# the nightly service and timer as systemd reads them, ExecStart the installed binary
mkdir -p "$T/units"
sed "s|^ExecStart=/usr/local/bin/pinbench|ExecStart=$T/root/usr/bin/pinbench|" \
	"$REPO_DIR/examples/systemd/pinbench-nightly.service" > "$T/units/pinbench-nightly.service"
cp "$REPO_DIR/examples/systemd/pinbench-nightly.timer" "$T/units/"
systemd-analyze verify "$T/units/pinbench-nightly.timer" "$T/units/pinbench-nightly.service" \
	> "$T/verify" 2>&1
ok $? "systemd-analyze verify accepts the nightly service and timer $(head -1 "$T/verify")"
is "$(grep -c . "$T/verify")" "0" "without a warning"
grep -q '^ExecStart=[^ ]*pinbench nightly --config config.ini$' "$T/units/pinbench-nightly.service"
ok $? "the service runs pinbench nightly"

done_testing
