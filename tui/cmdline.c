// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The `:` commands: one table (name, arguments, help, handler) that cl_exec() dispatches on,
 * the line editor completes from (mode_cmdline.c) and the help screen lists (actions.c). A new
 * command is one handler and one row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/replace.h"

/* ---- the handlers: name is the row's name as typed ("w!"), arg the rest, trimmed ---- */

static void c_write(struct app *a, const char *name, const char *arg)
{
	app_save(a, arg[0] ? arg : NULL, name[1] == '!');
}

static void c_write_quit(struct app *a, const char *name, const char *arg)
{
	if (app_save(a, arg[0] ? arg : NULL, 0) == 0)
		app_quit(a, 1);
}

static void c_quit(struct app *a, const char *name, const char *arg)
{
	if (name[1] == '!') {
		app_quit(a, 1);
		return;
	}
	app_quit(a, 0);
	if (!a->quit && mode_top(a) == &mode_ask) {
		mode_pop(a); /* :q does not ask; it says how */
		app_msg(a, 1, "unsaved changes: :w saves, :q! quits without saving");
	}
}

static void c_edit(struct app *a, const char *name, const char *arg)
{
	if (!arg[0])
		app_msg(a, 1, ":e FILE.ipynb");
	else
		app_load(a, arg, name[1] == '!');
}

static void c_kernel(struct app *a, const char *name, const char *arg)
{
	if (!arg[0])
		app_msg(a, 0, "kernel: %s (:kernel NAME switches)", a->kernel_name);
	else if (app_kernel_start(a, arg) == 0)
		app_msg(a, 0, "starting kernel %s", arg);
}

static void c_restart(struct app *a, const char *name, const char *arg)
{
	app_kernel_restart(a);
}

static void c_interrupt(struct app *a, const char *name, const char *arg)
{
	app_kernel_interrupt(a);
}

static void c_run(struct app *a, const char *name, const char *arg)
{
	size_t n = nb_doc_ncells(a->doc);

	if (!strcmp(arg, "all"))
		app_run_range(a, 0, n);
	else if (!strcmp(arg, "above"))
		app_run_range(a, 0, a->cur);
	else if (!strcmp(arg, "below"))
		app_run_range(a, a->cur, n);
	else
		app_msg(a, 1, ":run all, :run above or :run below");
}

static void c_clear(struct app *a, const char *name, const char *arg)
{
	for (size_t i = 0; i < nb_doc_ncells(a->doc); i++) {
		struct nb_cell *c = nb_doc_cell(a->doc, i);
		if (nb_cell_type(c) == NB_CODE && json_array_size(nb_cell_outputs(c)))
			nb_out_clear_cell(a->out, nb_cell_id(c));
	}
	app_invalidate_all(a);
	app_msg(a, 0, "outputs cleared");
}

static void c_noh(struct app *a, const char *name, const char *arg)
{
	a->search[0] = 0; /* n/N have nothing to find until the next / */
	a->need_draw = 1;
}

static void c_theme(struct app *a, const char *name, const char *arg)
{
	if (!arg[0])
		app_msg(a, 0, "theme %s", a->theme.name);
	else
		app_set_theme(a, arg);
}

static void c_set(struct app *a, const char *name, const char *arg)
{
	char key[64] = "", err[256] = "";
	const char *v = arg;

	sscanf(arg, "%63s", key);
	v += strlen(key);
	while (*v == ' ' || *v == '=')
		v++;
	config_vim_alias(key, sizeof key, &v);
	if (!key[0] || !*v) {
		app_msg(a, 1, ":set OPTION VALUE");
		return;
	}
	if (config_set(&a->cfg, key, v, err, sizeof err) < 0) {
		app_msg(a, 1, "%s", err);
		return;
	}
	if (!strcmp(key, "theme"))
		app_set_theme(a, a->cfg.theme);
	a->attribution = a->cfg.attribution_view;
	if (!strcmp(key, "output_limit"))
		nb_out_set_limit(a->out, a->cfg.output_limit);
	if (!strcmp(key, "save_attribution"))
		nb_out_set_save_attribution(a->out, a->cfg.save_attribution);
	if (!strcmp(key, "mouse"))
		view_raw(a->cfg.mouse ? "\033[?1000h\033[?1006h" : "\033[?1000l\033[?1006l");
	app_invalidate_all(a);
	app_msg(a, 0, "%s = %s", key, v);
}

/* Commands that are a key's action under another name. */
static void c_action(struct app *a, const char *name, const char *arg)
{
	act_run(a, name);
}

static void c_routing(struct app *a, const char *name, const char *arg)
{
	tp_routing(a, arg);
}

static void c_route(struct app *a, const char *name, const char *arg)
{
	tp_route(a, arg);
}

/* The `:` commands, in the order the help lists them. */
/* :s and :%s are recognised before the table (their pattern follows the name directly, as
 * in vim); their rows run them too when typed with a blank after the name. */
static void c_subst(struct app *a, const char *name, const char *arg)
{
	char line[4200];

	snprintf(line, sizeof line, "%s%s", name, arg);
	if (rp_is_subst(line))
		rp_start(a, line);
	else
		app_msg(a, 1, ":%s/PATTERN/REPLACEMENT/[g][c]", name);
}

static const struct cl_command commands[] = {
	{"w", "[FILE]", "save (to FILE, which becomes the notebook's file)", c_write},
	{"w!", "[FILE]", "save, overwriting a file changed on disk", c_write},
	{"wq", "[FILE]", "save and quit", c_write_quit},
	{"x", "[FILE]", "save and quit (as :wq)", c_write_quit},
	{"q", "", "quit (refused while there are unsaved changes)", c_quit},
	{"q!", "", "quit without saving", c_quit},
	{"e", "FILE", "open another notebook (refused while there are unsaved changes)", c_edit},
	{"e!", "FILE", "open another notebook, dropping unsaved changes", c_edit},
	{"kernel", "[NAME]", "show the kernel, or start kernel NAME instead", c_kernel},
	{"restart", "", "restart the kernel", c_restart},
	{"interrupt", "", "interrupt the kernel", c_interrupt},
	{"run", "all|above|below", "run every cell, those above, or this one and those below",
	 c_run},
	{"clear", "", "clear every cell's output", c_clear},
	{"noh", "", "forget the search: n and N find nothing until the next /", c_noh},
	{"nohlsearch", "", "as :noh", c_noh},
	{"theme", "[NAME]", "show the colour theme, or use NAME", c_theme},
	{"set", "OPTION VALUE", "change a setting for this session (docs/config.md); number, nonumber",
	 c_set},
	{"s", "/PAT/REP/[g][c]", "replace in the cell or the selected cells (regex; g all, c asks)",
	 c_subst},
	{"%s", "/PAT/REP/[g][c]", "replace in every cell", c_subst},
	{"help", "", "this help", c_action},
	{"detach", "", "detach: the session goes on without the screen", c_action},
	{"threads", "", "the threads pane", c_action},
	{"misrouted", "", "the misrouting list", c_action},
	{"attribution", "", "toggle the attribution view", c_action},
	{"routing", "[POLICY]", "show the routing policy and rules, or set the default policy",
	 c_routing},
	{"route", "PATTERN=POLICY", "add a routing rule for threads named PATTERN; -PATTERN removes it",
	 c_route},
};

const struct cl_command *cl_commands(size_t *n)
{
	*n = sizeof commands / sizeof commands[0];
	return commands;
}

int cl_exec(struct app *a, const char *line)
{
	char cmd[32] = "", arg[4096] = "";
	const char *p = line;

	while (*p == ' ' || *p == ':')
		p++;
	if (rp_is_subst(p))
		return rp_start(a, p), 0;
	sscanf(p, "%31s", cmd);
	p += strlen(cmd);
	while (*p == ' ')
		p++;
	snprintf(arg, sizeof arg, "%s", p);
	for (size_t l = strlen(arg); l && arg[l - 1] == ' ';)
		arg[--l] = 0;
	if (!cmd[0])
		return 0;
	if (cmd[0] >= '0' && cmd[0] <= '9') {
		long i = strtol(cmd, NULL, 10);
		app_focus(a, i > 0 ? (size_t)i - 1 : 0);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, cmd)) {
			commands[i].fn(a, cmd, arg);
			return 0;
		}
	char *safe = st_plain(cmd, strlen(cmd), NULL);
	app_msg(a, 1, ":%s is not a command (:help lists them)", safe ? safe : "?");
	free(safe);
	return -1;
}
