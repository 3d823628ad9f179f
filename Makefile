# pinbench — build, test and benchmark. `make help` lists the targets.

CC        ?= gcc
OPTFLAGS  ?= -O2 -g
WERROR    ?= -Werror
PKGS      := sqlite3 jansson inih gmime-3.0 glib-2.0 libcurl zlib gsl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS    += -std=gnu11 $(OPTFLAGS) -Wall -Wextra $(WERROR) -Wshadow -Wformat=2 \
             -Wno-format-nonliteral -fno-common -MMD -MP
CPPFLAGS  += -I. -D_GNU_SOURCE $(PKG_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

MODULE_DIRS := common db collectors runner reports kernels workloads
SRC       := $(wildcard $(addsuffix /*.c,$(MODULE_DIRS)))
MAIN_SRC  := runner/main.c
LIB_SRC   := $(filter-out $(MAIN_SRC),$(SRC))
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

# $(1): build dir, objects of the library part
objs = $(patsubst %.c,$(1)/%.o,$(2))

B  ?= build
BA := $(B)/asan

LIB_OBJ   := $(call objs,$(B),$(LIB_SRC))
LIB_OBJ_A := $(call objs,$(BA),$(LIB_SRC))
UNIT_BIN   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
UNIT_BIN_A := $(patsubst tests/unit/%.c,$(BA)/tests/%,$(UNIT_SRC))
BENCH_BIN  := $(patsubst tests/bench/%.c,$(B)/bench/%,$(BENCH_SRC))

PROVE     ?= prove
VALGRIND  := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
             --show-leak-kinds=definite,indirect --error-exitcode=99

DEB_BUILD_DEPS := build-essential pkg-config libsqlite3-dev libjansson-dev libinih-dev \
                  libgmime-3.0-dev libglib2.0-dev libcurl4-openssl-dev zlib1g-dev libgsl-dev
DEB_RUN_DEPS   := fio linux-perf sqlite3 e2fsprogs util-linux procps ca-certificates \
                  qemu-system-x86 dosfstools exfatprogs udftools jfsutils nilfs-tools
# building kernels: Debian's 6.12 source (the default baseline), Kbuild's tools, ccache
DEB_KERNEL_DEPS := linux-source-6.12 linux-source-6.1 git patch xz-utils flex bison bc libelf-dev \
                   libssl-dev ccache cpio lz4
# reports: plots; tests: a real browser, a real SMTP server, an HTML/XML checker
DEB_REPORT_DEPS := gnuplot-nox
DEB_TEST_DEPS  := valgrind perl python3 chromium python3-aiosmtpd libxml2-utils strace openssl \
                  systemd

# keep objects of tests and benchmarks between runs
.SECONDARY:

.PHONY: all help deps demo test unit unit-asan valgrind integration asan bench e2e clean no-plugin \
	install uninstall

# The TCG plugin of counting boots (runner/plugin/count.c) needs QEMU's
# qemu-plugin.h, which Debian ships only in its qemu source package: `make
# deps` fetches it (scripts/qemu-plugin-header). Without it the rest builds
# and runs say they have no cost rows.
QEMU_PLUGIN_H := $(shell scripts/qemu-plugin-header --cached 2>/dev/null)
PLUGIN := $(if $(QEMU_PLUGIN_H),pinbench-count.so,no-plugin)
PLUGIN_A := $(if $(QEMU_PLUGIN_H),$(BA)/pinbench-count.so,no-plugin)

all: pinbench pinbench-init $(PLUGIN) $(B)/pinbench.1 $(B)/pinbench.bash

# the man page and the bash completion come from the command and config tables
$(B)/pinbench.1: $(B)/pinbench
	$< help man > $@.tmp && mv -f $@.tmp $@
$(B)/pinbench.bash: $(B)/pinbench
	$< help completion > $@.tmp && mv -f $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary with its guest init (and
# the counting plugin) in PREFIX/lib/pinbench, where pinbench finds them beside
# itself, linked from PREFIX/bin; the man page, the completion, and the shipped
# config with its kernel fragments and example patches under PREFIX/share
PREFIX  ?= /usr/local
LIBDIR  := $(DESTDIR)$(PREFIX)/lib/pinbench
SHAREDIR := $(DESTDIR)$(PREFIX)/share
install: all
	install -d $(LIBDIR) $(DESTDIR)$(PREFIX)/bin $(SHAREDIR)/man/man1 \
		$(SHAREDIR)/bash-completion/completions $(SHAREDIR)/pinbench/kernels/configs \
		$(SHAREDIR)/pinbench/examples/patches $(SHAREDIR)/pinbench/examples/systemd
	install -m 755 $(B)/pinbench $(LIBDIR)/pinbench
	install -m 755 $(B)/pinbench-init $(LIBDIR)/pinbench-init
	$(if $(QEMU_PLUGIN_H),install -m 755 $(B)/pinbench-count.so $(LIBDIR)/pinbench-count.so)
	ln -sfn ../lib/pinbench/pinbench $(DESTDIR)$(PREFIX)/bin/pinbench
	install -m 644 $(B)/pinbench.1 $(SHAREDIR)/man/man1/pinbench.1
	install -m 644 $(B)/pinbench.bash $(SHAREDIR)/bash-completion/completions/pinbench
	install -m 644 config.ini $(SHAREDIR)/pinbench/config.ini
	install -m 644 kernels/configs/*.config $(SHAREDIR)/pinbench/kernels/configs/
	install -m 644 examples/patches/*.patch $(SHAREDIR)/pinbench/examples/patches/
	install -m 644 examples/systemd/pinbench-nightly.service \
		examples/systemd/pinbench-nightly.timer $(SHAREDIR)/pinbench/examples/systemd/

uninstall:
	rm -rf $(LIBDIR) $(SHAREDIR)/pinbench
	rm -f $(DESTDIR)$(PREFIX)/bin/pinbench $(SHAREDIR)/man/man1/pinbench.1 \
		$(SHAREDIR)/bash-completion/completions/pinbench

help:
	@echo "make demo        deps, build, then compare the shipped baseline and example patch"
	@echo "make deps        install every Debian package pinbench needs (apt-get, as root)"
	@echo "make             build ./pinbench"
	@echo "make test        unit tests (plain, valgrind, ASan+UBSan) and integration tests"
	@echo "make asan        build ASan+UBSan binaries under build/asan/"
	@echo "make bench       run the benchmarks and print figures (not a test)"
	@echo "make e2e         slower end-to-end checks"
	@echo "make install     install under PREFIX (/usr/local; DESTDIR for staging)"
	@echo "make clean       remove build output"

deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$(DEB_BUILD_DEPS) $(DEB_RUN_DEPS) $(DEB_KERNEL_DEPS) $(DEB_REPORT_DEPS) \
		$(DEB_TEST_DEPS)
	scripts/qemu-plugin-header

# The first command on a fresh machine: everything installed and built, then
# the shipped baseline against the example patch (exit 1 from compare is the
# expected verdict: the patch adds a pin per page).
DEMO_PATCH := examples/patches/0001-fs-direct-io-extra-pin-per-page.patch
demo:
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory deps && $(MAKE) --no-print-directory all || exit $$?; \
	t1=$$(date +%s); \
	./pinbench compare --config config.ini --baseline baseline --patch $(DEMO_PATCH); \
	rc=$$?; t2=$$(date +%s); [ $$rc -le 1 ] || exit $$rc; \
	echo; echo "demo: compare exited $$rc (1: a regression was found, as the example patch adds a pin per page)"; \
	echo "demo: the report is $$(ls -t $(CURDIR)/pinbench-reports/comparison-*.txt | head -1)"; \
	echo "demo: wall time $$((t2 - t0)) s: set-up (packages, pinbench) $$((t1 - t0)) s, compare $$((t2 - t1)) s (its 'time:' lines split it into kernel builds, boots, fio and harness)"

# copy, then rename: a pinbench that is running (a kernel build) keeps its binary
pinbench: $(B)/pinbench pinbench-init
	cp $< $@.tmp && mv -f $@.tmp $@

# the guest's /init (runner/guest/init.c): static, it runs before any library exists;
# pinbench finds it beside its own binary
pinbench-init: $(B)/pinbench-init
	cp $< $@.tmp && mv -f $@.tmp $@

$(B)/pinbench-init: runner/guest/init.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra $(WERROR) -static -o $@ $<

pinbench-count.so: $(B)/pinbench-count.so
	cp $< $@.tmp && mv -f $@.tmp $@

$(B)/pinbench-count.so: runner/plugin/count.c $(QEMU_PLUGIN_H)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra $(WERROR) -shared -fPIC \
		-I$(dir $(QEMU_PLUGIN_H)) -o $@ $<

$(BA)/pinbench-count.so: $(B)/pinbench-count.so
	@mkdir -p $(dir $@)
	cp $< $@

no-plugin:
	@echo "note: no qemu-plugin.h (make deps fetches it): pinbench-count.so not built," \
		"runs under TCG will have no cost rows"

$(BA)/pinbench-init: $(B)/pinbench-init
	@mkdir -p $(dir $@)
	cp $< $@

$(B)/pinbench: $(call objs,$(B),$(MAIN_SRC)) $(B)/libpinbench.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BA)/pinbench: $(call objs,$(BA),$(MAIN_SRC)) $(BA)/libpinbench.a
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(B)/libpinbench.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BA)/libpinbench.a: $(LIB_OBJ_A)
	rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BA)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/libpinbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BA)/tests/%: $(BA)/tests/unit/%.o $(BA)/libpinbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(B)/bench/%: $(B)/tests/bench/%.o $(B)/libpinbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

asan: $(BA)/pinbench $(BA)/pinbench-init $(UNIT_BIN_A)

unit: $(UNIT_BIN)
	$(PROVE) -e '' $(UNIT_BIN)

valgrind: $(UNIT_BIN)
	$(PROVE) -e '$(VALGRIND)' $(UNIT_BIN)

unit-asan: $(UNIT_BIN_A)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(PROVE) -e '' $(UNIT_BIN_A)

# Integration tests drive the real binary (ASan+UBSan build) with real fio, perf and SQLite.
integration: $(BA)/pinbench $(BA)/pinbench-init $(PLUGIN_A) pinbench
	PINBENCH=$(CURDIR)/$(BA)/pinbench ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 \
		$(PROVE) -e bash tests/integration/*.sh

# A skip fails unless tests/skips.txt justifies it; the skips that happened are
# printed at the end, failed run or not.
SKIP_LOG := $(CURDIR)/$(B)/skips.log

test: pinbench $(PLUGIN)
	@mkdir -p $(B) && : > $(SKIP_LOG)
	@export PINBENCH_SKIP_LOG=$(SKIP_LOG); \
	$(MAKE) --no-print-directory valgrind && \
	$(MAKE) --no-print-directory unit-asan && \
	$(MAKE) --no-print-directory integration; \
	status=$$?; \
	echo "skipped (each justified in tests/skips.txt):"; \
	if [ -s $(SKIP_LOG) ]; then sort $(SKIP_LOG) | uniq -c | sed 's/^ */  /'; \
	else echo "  none"; fi; \
	exit $$status

bench: $(BENCH_BIN) pinbench
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done
	@for b in tests/bench/*.sh; do echo "== $$b"; bash $$b || exit 1; done

# The shipped config.ini, end to end, into a throw-away database: the host
# target, then the shipped comparison in QEMU, which must find the example
# patch's extra pin per page (exit 1) and flag nothing.
e2e: pinbench
	@tmp=$$(mktemp -d /tmp/pinbench-e2e.XXXXXX) && \
	./pinbench run --config config.ini --db $$tmp/e2e.db && \
	{ ./pinbench compare --config config.ini --db $$tmp/e2e.db --baseline baseline \
		--patched patched; test $$? = 1; } && \
	test "$$(sqlite3 $$tmp/e2e.db "select count(*) from verdict where verdict = 'regression' \
		and metric = 'pin.released_per_io' and round(delta) = 1")" -gt 0 && \
	test "$$(sqlite3 $$tmp/e2e.db "select count(*) from flag")" = 0 && \
	./pinbench db show 1 --db $$tmp/e2e.db > /dev/null && \
	./pinbench db export --format csv --db $$tmp/e2e.db -o $$tmp/e2e.csv && \
	echo "e2e: $$(($$(wc -l < $$tmp/e2e.csv) - 1)) samples exported" && rm -rf $$tmp

clean:
	rm -rf build pinbench pinbench-init pinbench-count.so

-include $(shell find build -name '*.d' 2>/dev/null)
