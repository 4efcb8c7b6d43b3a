// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's named actions ("cell-next", "run-advance", …): one table of (name,
 * help, handler) that the keymap's bindings (keymap.c) name and the help screen lists. A mode
 * runs the action bound to a key through act_bound(); actions that mean "move" or "close" in
 * every mode ("top", "line-down", "close", "select") go to the mode on top (mode.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/app.h"
#include "tui/session.h"

static size_t ncells(struct app *a)
{
	return nb_doc_ncells(a->doc);
}

static struct nb_cell *cur_cell(struct app *a)
{
	return nb_doc_cell(a->doc, a->cur);
}

/* ---- command mode ---- */

static void a_cell_next(struct app *a)
{
	if (a->cur + 1 < ncells(a))
		app_focus(a, a->cur + 1);
}

static void a_cell_prev(struct app *a)
{
	if (a->cur > 0)
		app_focus(a, a->cur - 1);
}

static void a_edit(struct app *a)
{
	app_edit_start(a);
}

static void a_command_mode(struct app *a)
{
	app_edit_stop(a);
}

static void a_interrupt(struct app *a)
{
	app_kernel_interrupt(a);
}

static void a_restart(struct app *a)
{
	app_kernel_restart(a);
}

static void a_top(struct app *a)
{
	mode_move(a, MOVE_TOP);
}

static void a_bottom(struct app *a)
{
	mode_move(a, MOVE_BOTTOM);
}

static void a_page_up(struct app *a)
{
	mode_move(a, MOVE_PAGE_UP);
}

static void a_page_down(struct app *a)
{
	mode_move(a, MOVE_PAGE_DOWN);
}

/* Searches cell i's source and outputs for the search text (case-insensitive). */
static int cell_matches(struct app *a, size_t i)
{
	struct nb_cell *c = nb_doc_cell(a->doc, i);
	json_t *outs, *o;
	size_t k;

	if (!c)
		return 0;
	if (strcasestr(nb_cell_source(c), a->search))
		return 1;
	if (nb_cell_type(c) != NB_CODE)
		return 0;
	outs = nb_cell_outputs(c);
	json_array_foreach(outs, k, o)
	{
		int role;
		char *owned;
		const char *t = rd_output_text(o, &role, &owned);
		int hit = strcasestr(t, a->search) != NULL;

		free(owned);
		if (hit)
			return 1;
	}
	return 0;
}

static void search_step(struct app *a, int dir)
{
	size_t n = ncells(a);

	if (!a->search[0]) {
		app_msg(a, 0, "no search: / TEXT");
		return;
	}
	nb_out_sync(a->out);
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (a->cur + k) % n : (a->cur + n - k % n) % n;

		if (cell_matches(a, i)) {
			int wrapped = dir > 0 ? a->cur + k >= n : k > a->cur;

			app_focus(a, i);
			app_msg(a, 0, "/%s: cell %zu%s", a->search, i + 1, wrapped ? " (wrapped)" : "");
			return;
		}
	}
	app_msg(a, 1, "/%s: not found", a->search);
}

static void a_search(struct app *a)
{
	cl_start(a, '/', "/");
}

static void a_search_next(struct app *a)
{
	search_step(a, 1);
}

static void a_search_prev(struct app *a)
{
	search_step(a, -1);
}

void act_search(struct app *a, const char *text)
{
	snprintf(a->search, sizeof a->search, "%s", text);
	if (a->search[0])
		search_step(a, 1);
}

static void a_fold(struct app *a)
{
	struct nb_cell *c = cur_cell(a);

	if (c) {
		app_toggle_unfold(a, nb_cell_id(c));
		app_invalidate(a, a->cur);
	}
}

static void a_pager(struct app *a)
{
	pager_open_output(a);
}

static void a_clear_output(struct app *a)
{
	struct nb_cell *c = cur_cell(a);

	if (c && nb_out_clear_cell(a->out, nb_cell_id(c)) == 0)
		app_invalidate(a, a->cur);
}

static void a_save(struct app *a)
{
	app_save(a, NULL, 0);
}

static void a_quit(struct app *a)
{
	app_quit(a, 0);
}

static void a_help(struct app *a)
{
	pager_open_help(a);
}

static void a_cmdline(struct app *a)
{
	cl_start(a, ':', ":");
}

static void a_redraw(struct app *a)
{
	a->full_redraw = 1;
	a->need_draw = 1;
}

static void a_attribution(struct app *a)
{
	a->attribution = !a->attribution;
	a->cfg.attribution_view = a->attribution;
	app_invalidate_all(a);
	app_msg(a, 0, "attribution view %s", a->attribution ? "on" : "off");
}

static void a_threads(struct app *a)
{
	app_edit_stop(a);
	tp_open_threads(a);
}

static void a_misrouted(struct app *a)
{
	app_edit_stop(a);
	tp_open_misrouted(a);
}

/* ---- edit mode ---- */

static void edit_up(struct app *a)
{
	if (!editor_up(a->ed) && a->cur > 0) {
		app_focus(a, a->cur - 1);
		app_edit_start(a);
	}
}

static void edit_down(struct app *a)
{
	if (!editor_down(a->ed) && a->cur + 1 < ncells(a)) {
		app_focus(a, a->cur + 1);
		app_edit_start(a);
		if (a->ed)
			editor_top(a->ed);
	}
}

#define ED(fn, call)                                                                               \
	static void fn(struct app *a)                                                              \
	{                                                                                          \
		if (a->ed)                                                                         \
			call;                                                                      \
	}
ED(e_left, editor_left(a->ed))
ED(e_right, editor_right(a->ed))
ED(e_word_left, editor_word_left(a->ed))
ED(e_word_right, editor_word_right(a->ed))
ED(e_home, editor_home(a->ed))
ED(e_end, editor_end(a->ed))
ED(e_backspace, editor_backspace(a->ed))
ED(e_delete, editor_delete(a->ed))
ED(e_delete_word, editor_delete_word_left(a->ed))
ED(e_newline, editor_newline(a->ed))
ED(e_undo, editor_undo(a->ed))
ED(e_redo, editor_redo(a->ed))
ED(e_up, edit_up(a))
ED(e_down, edit_down(a))

static void e_complete(struct app *a)
{
	if (a->ed && !editor_tab(a->ed))
		popup_complete(a);
}

static void e_inspect(struct app *a)
{
	popup_inspect(a);
}

/* ---- pager, lists ---- */

static void p_close(struct app *a)
{
	mode_pop(a);
}

static void p_down(struct app *a)
{
	mode_move(a, MOVE_LINE_DOWN);
}

static void p_up(struct app *a)
{
	mode_move(a, MOVE_LINE_UP);
}

static void p_select(struct app *a)
{
	mode_select(a);
}

#define TP(fn, name)                                                                               \
	static void fn(struct app *a)                                                              \
	{                                                                                          \
		tp_action(a, name);                                                                \
	}
TP(p_origin, "policy-origin")
TP(p_current, "policy-current")
TP(p_auto, "policy-auto")
TP(p_kernel, "policy-kernel")
TP(p_default, "default-policy")
TP(p_internal, "toggle-internal")

/* The actions: one row each (name, help, handler); the help lists them in the keymap's order. */
static const struct act_entry table[] = {
	{"cell-next", "focus the next cell", a_cell_next},
	{"cell-prev", "focus the previous cell", a_cell_prev},
	{"edit", "edit the focused cell (edit mode)", a_edit},
	{"command-mode", "leave edit mode", a_command_mode},
	{"insert-above", "insert a code cell above", co_insert_above},
	{"insert-below", "insert a code cell below", co_insert_below},
	{"cell-delete", "delete the cell (or the selected cells)", co_delete},
	{"undo-cells", "undo the last cell operation (delete, insert, move, merge, …)", co_undo},
	{"redo-cells", "redo the cell operation undone", co_redo},
	{"select-down", "extend the selection of cells down", co_select_down},
	{"select-up", "extend the selection of cells up", co_select_up},
	{"cut", "cut the cell (or the selected cells)", co_cut},
	{"copy", "copy the cell (or the selected cells)", co_copy},
	{"paste-below", "paste cells below", co_paste_below},
	{"paste-above", "paste cells above", co_paste_above},
	{"move-up", "move the cell up", co_move_up},
	{"move-down", "move the cell down", co_move_down},
	{"merge", "merge the selected cells, or with the next cell", co_merge},
	{"split", "split the cell at the cursor", co_split},
	{"comment", "comment the line out, or back in", hb_comment},
	{"suspend", "suspend bobbin (fg brings it back)", view_suspend},
	{"detach", "detach: the session goes on without the screen (bobbin NB reattaches)",
	 sess_detach_key},
	{"clipboard-cell", "copy the cell's source to the system clipboard (OSC 52)", osc52_copy_cell},
	{"clipboard-output", "copy the cell's text output to the system clipboard (OSC 52)",
	 osc52_copy_output},
	{"to-code", "make it a code cell", co_to_code},
	{"to-markdown", "make it a markdown cell", co_to_markdown},
	{"to-raw", "make it a raw cell", co_to_raw},
	{"run-advance", "run the cell, focus the next", co_run_advance},
	{"run", "run the cell, stay", co_run},
	{"run-insert", "run the cell, insert a cell below", co_run_insert},
	{"interrupt", "interrupt the kernel", a_interrupt},
	{"restart", "restart the kernel", a_restart},
	{"top", "first cell", a_top},
	{"bottom", "last cell", a_bottom},
	{"page-up", "scroll a page up", a_page_up},
	{"page-down", "scroll a page down", a_page_down},
	{"search", "search sources and outputs", a_search},
	{"search-next", "next match", a_search_next},
	{"search-prev", "previous match", a_search_prev},
	{"fold", "fold / unfold the cell's output", a_fold},
	{"pager", "read the cell's whole output in a pager", a_pager},
	{"image", "save the cell's image to a file, open it with $BOBBIN_IMAGE_VIEWER", act_image},
	{"clear-output", "clear the cell's output", a_clear_output},
	{"save", "save the notebook", a_save},
	{"quit", "quit (asks when there are unsaved changes)", a_quit},
	{"help", "this help", a_help},
	{"cmdline", "command line (:w, :q, :run all, :help, …)", a_cmdline},
	{"redraw", "redraw the screen", a_redraw},
	{"attribution", "toggle the attribution view (thread labels)", a_attribution},
	{"threads", "the threads pane", a_threads},
	{"misrouted", "the misrouting list", a_misrouted},
	/* edit mode */
	{"left", "cursor left", e_left},
	{"right", "cursor right", e_right},
	{"up", "cursor up (previous cell at the top)", e_up},
	{"down", "cursor down (next cell at the bottom)", e_down},
	{"word-left", "previous word", e_word_left},
	{"word-right", "next word", e_word_right},
	{"home", "start of line (first non-blank, then column 0)", e_home},
	{"end", "end of line", e_end},
	{"backspace", "delete the character before the cursor", e_backspace},
	{"delete", "delete the character under the cursor", e_delete},
	{"delete-word", "delete the word before the cursor", e_delete_word},
	{"newline", "new line, auto-indented", e_newline},
	{"complete", "complete (indent at the start of a line)", e_complete},
	{"inspect", "documentation of the name at the cursor", e_inspect},
	{"undo", "undo", e_undo},
	{"redo", "redo", e_redo},
	/* pager and lists */
	{"close", "close", p_close},
	{"line-down", "down a line", p_down},
	{"line-up", "up a line", p_up},
	{"select", "jump to it / apply", p_select},
	{"policy-origin", "route the thread to its origin cell", p_origin},
	{"policy-current", "route the thread to the running cell", p_current},
	{"policy-auto", "current while a cell runs, else origin", p_auto},
	{"policy-kernel", "the kernel's own rule (attribution only)", p_kernel},
	{"default-policy", "cycle the kernel-wide default policy", p_default},
	{"toggle-internal", "show or hide the kernel's own threads", p_internal},
};

const struct act_entry *act_table(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

const struct act_entry *act_find(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

int act_run(struct app *a, const char *name)
{
	const struct act_entry *e = act_find(name);

	if (!e) {
		char *safe = st_plain(name, strlen(name), NULL);

		app_msg(a, 1, "%s: no such action (h lists them)", safe ? safe : "?");
		free(safe);
		return -1;
	}
	e->fn(a);
	co_after_action(a, name);
	a->need_draw = 1;
	return 0;
}

enum mode_result act_bound(struct app *a, int keymap, const struct key *k)
{
	const char *name = km_lookup(&a->km, keymap, k);

	if (name == KM_PREFIX)
		return MODE_HANDLED;
	if (!name)
		return MODE_IGNORED;
	act_run(a, name);
	return MODE_REDRAW;
}

enum mode_result act_key(struct app *a, const struct key *k)
{
	if (k->code == K_FOCUS_IN || k->code == K_FOCUS_OUT)
		return MODE_HANDLED;
	return mode_key(a, k);
}

/* ---- the help screen, from the tables ---- */

static void help_line(void *ud, const char *keys, const char *action)
{
	struct rd_layout *l = ud;
	const struct act_entry *e = act_find(action);
	char k[64];

	snprintf(k, sizeof k, "  %-26s", keys);
	rd_append(l, k, THEME_HELP_KEY, 1);
	rd_append(l, e ? e->help : action, THEME_HELP_TEXT, 0);
}

void act_help(struct rd_layout *l)
{
	static const char *const heads[KM_NMODES] = {
		"Command mode (Esc)", "Edit mode (Enter)", "Pager and help", "Threads pane (T)",
		"Lists (W misrouted, kernel picker)"};
	static const char *const notes[] = {
		"",
		"Running: terminals that cannot send Shift-Enter / Ctrl-Enter / Alt-Enter can use",
		"F5 (run, next), F6 (run), F7 (run, insert) or, in command mode, R (run, next).",
		"Shift-Enter is understood as CSI u (ESC [13;2u) and xterm modifyOtherKeys",
		"(ESC [27;2;13~); Ctrl-Enter likewise (;5); Alt-Enter is ESC CR. bobbin asks the",
		"terminal for these reports at start (config extended_keys).",
	};
	size_t n;
	const struct cl_command *c = cl_commands(&n);

	rd_layout_clear(l);
	rd_append(l, "bobbin — keys (q closes this help)", THEME_HELP_KEY, 1);
	for (int m = 0; m < KM_NMODES; m++) {
		rd_append(l, "", THEME_NORMAL, 1);
		rd_append(l, heads[m], THEME_MARKDOWN_HEADING, 1);
		km_describe(m, help_line, l);
	}
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
		rd_append(l, notes[i], THEME_HELP_TEXT, 1);
	rd_append(l, "", THEME_NORMAL, 1);
	rd_append(l, "Command line (:), and a cell's number (:12) focuses it", THEME_MARKDOWN_HEADING,
		  1);
	for (size_t i = 0; i < n; i++) {
		char k[80], cmd[64];

		snprintf(cmd, sizeof cmd, "%s%s%s", c[i].name,
			 c[i].args[0] && c[i].args[0] != '/' ? " " : "", c[i].args);
		snprintf(k, sizeof k, "  :%-24s ", cmd);
		rd_append(l, k, THEME_HELP_KEY, 1);
		rd_append(l, c[i].help, THEME_HELP_TEXT, 0);
	}
}
