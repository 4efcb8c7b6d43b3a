// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A one-key question in the bottom line ("Save before quitting? (y)es (n)o (c)ancel"): the next
 * key answers it. The question is popped before its callback runs, so the callback sees the
 * screen as it was and may ask again or open another mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

struct ask {
	char text[512];
	void (*cb)(struct app *a, int key);
};

void ask_open(struct app *a, void (*cb)(struct app *a, int key), const char *text)
{
	struct ask *q = calloc(1, sizeof *q);

	if (!q) {
		app_msg(a, 1, "out of memory");
		return;
	}
	if (mode_top(a) == &mode_ask)
		mode_pop(a); /* a new question replaces the one shown */
	snprintf(q->text, sizeof q->text, "%s", text);
	q->cb = cb;
	mode_push(a, &mode_ask, q);
}

static void ask_leave(struct app *a, void *data)
{
	free(data);
}

static enum mode_result ask_key(struct app *a, void *data, const struct key *k)
{
	struct ask *q = data;
	void (*cb)(struct app *, int) = q->cb;

	if (k->code == K_MOUSE)
		return MODE_IGNORED;
	mode_pop(a);
	cb(a, k->code);
	return MODE_REDRAW;
}

static void ask_status(struct app *a, void *data, struct mode_status *st)
{
	st->line = ((struct ask *)data)->text;
}

const struct mode mode_ask = {
    .name = "ask",
    .leave = ask_leave,
    .key = ask_key,
    .status = ask_status,
};
