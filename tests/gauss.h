/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_TESTS_GAUSS_H
#define PINBENCH_TESTS_GAUSS_H

#include <math.h>
#include <stdint.h>

/*
 * Gaussian noise from a fixed seed (xorshift64 and Box-Muller) for the
 * synthetic series of tests and benchmarks: the same numbers on every run
 * and machine.
 */
static uint64_t gauss_state = 88172645463325252ULL;

static inline double gauss_uniform(void)
{
	gauss_state ^= gauss_state << 13;
	gauss_state ^= gauss_state >> 7;
	gauss_state ^= gauss_state << 17;
	return ((double)(gauss_state >> 11) + 0.5) / 9007199254740992.0;
}

static inline double gauss(void)
{
	return sqrt(-2 * log(gauss_uniform())) * cos(2 * M_PI * gauss_uniform());
}

#endif
