/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included before hmm-tests.c (scripts/build-selftests.sh): the kselftest
 * harness's alarm for each case, 30 seconds of wall-clock time, made 120.
 *
 * The guest runs the debug kernel (KASAN, lockdep, page_owner) under TCG,
 * where migrate_multiple's ten migrations of 4 MiB to the device and back
 * take 24 to 27 s on the base kernel and 28 to 32 s on the tip, with a
 * second such guest running beside it (docs/status.md): the case runs at
 * its limit on the base already, and a busy host pushes it over. Four
 * times the alarm still ends a case that hangs.
 *
 * kselftest_harness.h defines TEST_TIMEOUT_DEFAULT unconditionally and
 * TEST_F() expands it where a case is defined, so the header is included
 * here, its guard keeps hmm-tests.c's own include from reading it again,
 * and the limit is set between the two.
 */
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120
