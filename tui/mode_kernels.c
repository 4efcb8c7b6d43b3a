// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The kernel picker: the installed kernelspecs, shown when the kernel a notebook asks for is
 * not installed. Enter starts the one chosen; closing it leaves the notebook without a kernel
 * (and says how to start one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

void kernels_pick(struct app *a, const char *why)
{
	size_t n = 0;
	struct kc_kernelspec **specs = kc_kernelspec_list(&n, NULL);
	struct app_list *l = list_new(n);

	for (size_t i = 0; l && i < n; i++) {
		const char *d = specs[i]->display_name ? specs[i]->display_name : "";
		char *safe = st_plain(d, strlen(d), NULL);
		struct app_item *it = &l->items[l->nitems++];

		snprintf(it->text, sizeof it->text, "%-20s %s", specs[i]->name, safe ? safe : "");
		snprintf(it->cell_id, sizeof it->cell_id, "%s", specs[i]->name);
		free(safe);
	}
	kc_kernelspec_list_free(specs, n);
	if (!l)
		return;
	snprintf(l->title, sizeof l->title, "Pick a kernel (Enter), q for none");
	mode_push(a, &mode_kernels, l);
	app_msg(a, 1, "%s", why);
}

static void kernels_leave(struct app *a, void *data)
{
	struct app_list *l = data;

	if (!l->chosen)
		app_msg(a, 1, "no kernel: :kernel NAME starts one");
	list_free(l);
}

static enum mode_result kernels_key(struct app *a, void *data, const struct key *k)
{
	return list_keys(a, KM_LIST, k);
}

static void kernels_select(struct app *a, void *data)
{
	struct app_list *l = data;
	char name[64];

	if (l->sel >= l->nitems)
		return;
	snprintf(name, sizeof name, "%s", l->items[l->sel].cell_id);
	l->chosen = 1;
	mode_pop(a);
	if (app_kernel_start(a, name) == 0)
		app_msg(a, 0, "starting kernel %s", name);
}

const struct mode mode_kernels = {
    .name = "kernels",
    .leave = kernels_leave,
    .key = kernels_key,
    .draw = list_draw,
    .status = list_status,
    .motion = list_move,
    .select = kernels_select,
};
