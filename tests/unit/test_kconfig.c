// SPDX-License-Identifier: GPL-2.0-only
#include "kernels/kconfig.h"

#include <string.h>

#include "common/strvec.h"
#include "kernels/build.h"
#include "tests/tap.h"

/* A .config as olddefconfig writes it: set values, "is not set" comments. */
static const char dotconfig[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n#\n"
	"CONFIG_64BIT=y\n"
	"CONFIG_SMP=y\n"
	"CONFIG_NR_CPUS=8\n"
	"# CONFIG_MODULES is not set\n"
	"CONFIG_CMDLINE=\"console=ttyS0\"\n"
	"CONFIG_VFAT_FS=y\n"
	"CONFIG_VFAT_FS_EXTRA=m\n";

static size_t verify(const char *frag, struct strvec *missing)
{
	struct kconfig_fragment f = { "qemu.config", frag };

	strvec_clear(missing);
	return kconfig_verify(&f, 1, dotconfig, missing);
}

static void test_landed(void)
{
	struct strvec missing = STRVEC_INIT;

	is_int(verify("CONFIG_64BIT=y\nCONFIG_SMP=y\n", &missing), 0, "set lines that landed");
	is_int(verify("# a comment\n\n   \nCONFIG_NR_CPUS=8\n", &missing), 0,
	       "comments and blank lines are not wishes");
	is_int(verify("# CONFIG_MODULES is not set\n", &missing), 0,
	       "'is not set' matches an 'is not set' line");
	is_int(verify("# CONFIG_NOT_ANYWHERE is not set\n", &missing), 0,
	       "'is not set' matches an absent symbol");
	is_int(verify("CONFIG_CMDLINE=\"console=ttyS0\"\n", &missing), 0, "string value");
	is_int(verify("  CONFIG_SMP=y  \n", &missing), 0, "surrounding blanks are ignored");
	strvec_clear(&missing);
}

static void test_dropped(void)
{
	struct strvec missing = STRVEC_INIT;

	is_int(verify("CONFIG_PVH=y\n", &missing), 1, "absent symbol is reported");
	like(missing.v[0], "qemu.config:1: CONFIG_PVH=y did not land", "names file and line");
	like(missing.v[0], "unknown symbol or unmet dependency", "says why it may be absent");

	is_int(verify("CONFIG_SMP=y\n\nCONFIG_VFAT_FS_EXTRA=y\n", &missing), 1,
	       "module instead of built-in is reported");
	like(missing.v[0], "qemu.config:3:", "line number counts blank lines");
	like(missing.v[0], ".config has: CONFIG_VFAT_FS_EXTRA=m", "shows what .config has");

	is_int(verify("CONFIG_NR_CPUS=64\n", &missing), 1, "different value is reported");
	is_int(verify("# CONFIG_SMP is not set\n", &missing), 1, "unset wish on a set symbol");
	is_int(verify("CONFIG_SMP\n", &missing), 1, "a line without '=' is malformed");
	like(missing.v[0], "is not CONFIG_NAME=value", "malformed line message");
	is_int(verify("SMP=y\n", &missing), 1, "a symbol without CONFIG_ is malformed");
	is_int(verify("CONFIG_SMP=\n", &missing), 1, "an empty value is malformed");
	strvec_clear(&missing);
}

static void test_override(void)
{
	struct kconfig_fragment f[2] = {
		{ "qemu.config", "CONFIG_MODULES=y\nCONFIG_SMP=y\n" },
		{ "no-modules.config", "# CONFIG_MODULES is not set\n" },
	};
	struct strvec missing = STRVEC_INIT;

	is_int(kconfig_verify(f, 2, dotconfig, &missing), 0,
	       "a later fragment overrides an earlier one, as merge_config does");
	f[1].text = "CONFIG_NR_CPUS=2\n";
	strvec_clear(&missing);
	is_int(kconfig_verify(f, 2, dotconfig, &missing), 2, "both fragments checked");
	like(missing.v[1], "no-modules.config:1:", "the second fragment is named");
	strvec_clear(&missing);
}

static void test_first_error(void)
{
	struct strbuf sb = STRBUF_INIT;

	ok(kernel_log_first_error("  CC      fs/x.o\nfs/direct-io.c:823:9: error: implicit "
				  "declaration of function 'dio_pin_pag'\nmake[4]: *** [x] Error 1\n",
				  &sb), "compiler error found");
	is_str(sb.buf, "fs/direct-io.c:823:9: error: implicit declaration of function "
	       "'dio_pin_pag'", "the whole line of the first compiler error");
	strbuf_reset(&sb);
	ok(kernel_log_first_error("make: *** No rule to make target 'bzImage'.  Stop.\n", &sb),
	   "make error found without a compiler error");
	like(sb.buf, "No rule to make target", "make's line");
	strbuf_reset(&sb);
	ok(!kernel_log_first_error("  CC      fs/x.o\n  LD      vmlinux\n", &sb),
	   "a clean log has no error");
	strbuf_release(&sb);
}

int main(void)
{
	test_landed();
	test_dropped();
	test_override();
	test_first_error();
	return done_testing();
}
