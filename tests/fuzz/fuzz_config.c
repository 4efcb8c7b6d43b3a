// SPDX-License-Identifier: GPL-3.0-or-later
/* Fuzz harness for the config file and themes: config_load() on arbitrary bytes warns or sets
 * values within their bounds; theme_parse() on the same bytes fails with a message or resolves
 * every role to colours a terminal can take. */
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "tui/config.h"
#include "tui/theme.h"

static void warn(const char *msg, void *ud)
{
	(void)strlen(msg);
	++*(int *)ud;
}

static int color_ok(int c)
{
	return c == ST_DEFAULT || (c >= 0 && c <= 255) || ST_IS_RGB(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct theme t;
	struct theme_error err = {0};
	int nwarn = 0;

	config_defaults(&c);
	config_load(&c, fuzz_file("config", data, size), warn, &nwarn);
	if (c.autosave_interval < 0 || c.autosave_interval > 86400 || c.fold_height < 0)
		abort();
	if (theme_parse((const char *)data, size, "fuzz.theme", "fuzz", &t, &err) < 0) {
		if (!err.text[0])
			abort();
		return 0;
	}
	for (int r = 0; r < THEME_NROLES; r++)
		if (!color_ok(t.style[r].fg) || !color_ok(t.style[r].bg))
			abort();
	return 0;
}
