// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's named actions ("cell-next", "run-advance", …) and the key dispatch:
 * a key is looked up in the keymap table for the current mode, and the action of that name
 * runs. Edit mode types unbound printable keys into the cell's editor; the one-key question,
 * the popups and the `:` line take keys before the table does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/app.h"

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
	if (a->mode == MODE_PAGER) {
		a->pager_top = 0;
		a->need_draw = 1;
		return;
	}
	app_focus(a, 0);
}

static void a_bottom(struct app *a)
{
	if (a->mode == MODE_PAGER) {
		long H = view_text_rows(a);
		a->pager_top = (long)a->pager.nrows > H ? (long)a->pager.nrows - H : 0;
		a->need_draw = 1;
		return;
	}
	app_focus(a, ncells(a) - 1);
}

static void page(struct app *a, int dir)
{
	long H = view_text_rows(a);

	if (a->mode == MODE_PAGER) {
		a->pager_top += dir * (H - 1);
		if (a->pager_top > (long)a->pager.nrows - H)
			a->pager_top = (long)a->pager.nrows - H;
		if (a->pager_top < 0)
			a->pager_top = 0;
		a->need_draw = 1;
		return;
	}
	if (a->mode == MODE_EDIT && a->ed) {
		if (dir > 0)
			editor_page_down(a->ed, (size_t)(H > 4 ? H - 4 : 1));
		else
			editor_page_up(a->ed, (size_t)(H > 4 ? H - 4 : 1));
		app_invalidate(a, a->cur);
		app_scroll_into_view(a);
		return;
	}
	app_scroll_rows(a, dir * (H > 2 ? H - 2 : 1));
	app_invalidate(a, a->cur);
	a->cur = a->top_off > 0 && a->top + 1 < ncells(a) ? a->top + 1 : a->top;
	app_invalidate(a, a->cur);
}

static void a_page_up(struct app *a)
{
	page(a, -1);
}

static void a_page_down(struct app *a)
{
	page(a, 1);
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
	struct nb_cell *c = cur_cell(a);
	struct rd_cell_in in;
	size_t r;

	if (!c || nb_cell_type(c) != NB_CODE || !json_array_size(nb_cell_outputs(c))) {
		app_msg(a, 0, "this cell has no output");
		return;
	}
	nb_out_sync(a->out);
	memset(&in, 0, sizeof in);
	in.type = NB_CODE;
	in.src = "";
	in.outputs = nb_cell_outputs(c);
	in.exec_count = -1;
	in.width = a->cols;
	in.gutter = 1;
	in.unfolded = 1;
	in.ascii = !a->utf8;
	if (rd_cell(&in, &a->pager) < 0)
		return;
	for (r = 0; r < a->pager.nrows && a->pager.rows[r].kind != RD_ROW_OUTPUT; r++)
		;
	a->pager_top = (long)r;
	a->pager_help = 0;
	a->back_mode = a->mode == MODE_PAGER ? MODE_COMMAND : a->mode;
	a->mode = MODE_PAGER;
	app_msg(a, 0, "output of cell %zu: q closes, Space/b pages, g/G ends", a->cur + 1);
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

struct help_ctx {
	struct app *a;
};

static void help_line(void *ud, const char *keys, const char *action, const char *help)
{
	struct app *a = ud;
	char k[64];

	snprintf(k, sizeof k, "  %-26s", keys);
	rd_append(&a->pager, k, THEME_HELP_KEY, 1);
	rd_append(&a->pager, help ? help : action, THEME_HELP_TEXT, 0);
}

static void a_help(struct app *a)
{
	static const char *const heads[] = {
		"Command mode (Esc)", "Edit mode (Enter)", "Pager and help", "Threads pane (T)",
		"Lists (W misrouted, kernel picker)"};
	static const char *const notes[] = {
		"",
		"Running: terminals that cannot send Shift-Enter / Ctrl-Enter / Alt-Enter can use",
		"F5 (run, next), F6 (run), F7 (run, insert) or, in command mode, R (run, next).",
		"Shift-Enter is understood as CSI u (ESC [13;2u) and xterm modifyOtherKeys",
		"(ESC [27;2;13~); Ctrl-Enter likewise (;5); Alt-Enter is ESC CR. bobbin asks the",
		"terminal for these reports at start (config extended_keys).",
		"",
		"Command line (:) — w [FILE], w! , q, q!, wq, e FILE, kernel NAME, restart,",
		"interrupt, run all|above|below, clear, theme NAME, set OPTION VALUE, help,",
		"threads, misrouted, attribution, routing [POLICY] (alone: shows policy and rules),",
		"route PATTERN=POLICY, route -PATTERN (removes the rule), NUMBER,",
		"set number / nonumber, s/PATTERN/REPLACEMENT/[g][c] (the cell or selection),",
		"%s/PATTERN/REPLACEMENT/[g][c] (every cell; c asks for each match).",
	};

	rd_layout_clear(&a->pager);
	rd_append(&a->pager, "bobbin — keys (q closes this help)", THEME_HELP_KEY, 1);
	for (int m = 0; m < KM_NMODES; m++) {
		rd_append(&a->pager, "", THEME_NORMAL, 1);
		rd_append(&a->pager, heads[m], THEME_MARKDOWN_HEADING, 1);
		km_describe(m, help_line, a);
	}
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
		rd_append(&a->pager, notes[i], THEME_HELP_TEXT, 1);
	a->pager_top = 0;
	a->pager_help = 1;
	a->back_mode = MODE_COMMAND;
	app_edit_stop(a);
	a->mode = MODE_PAGER;
	a->need_draw = 1;
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
		app_complete(a);
}

static void e_inspect(struct app *a)
{
	app_inspect(a);
}

/* ---- pager, lists ---- */

static void p_close(struct app *a)
{
	if (a->mode == MODE_THREADS || a->mode == MODE_LIST) {
		if (a->mode == MODE_LIST && a->list_kind == 1)
			app_msg(a, 1, "no kernel: :kernel NAME starts one");
	}
	a->mode = MODE_COMMAND;
	a->need_draw = 1;
}

static void p_line(struct app *a, int d)
{
	if (a->mode == MODE_PAGER) {
		long H = view_text_rows(a);
		a->pager_top += d;
		if (a->pager_top > (long)a->pager.nrows - H)
			a->pager_top = (long)a->pager.nrows - H;
		if (a->pager_top < 0)
			a->pager_top = 0;
	} else if (a->nitems) {
		if (d < 0 && a->item_sel > 0)
			a->item_sel--;
		else if (d > 0 && a->item_sel + 1 < a->nitems)
			a->item_sel++;
	}
	a->need_draw = 1;
}

static void p_down(struct app *a)
{
	p_line(a, 1);
}

static void p_up(struct app *a)
{
	p_line(a, -1);
}

static void p_tp(struct app *a, const char *name)
{
	tp_action(a, name);
}

static void p_select(struct app *a)
{
	p_tp(a, "select");
}
static void p_origin(struct app *a)
{
	p_tp(a, "policy-origin");
}
static void p_current(struct app *a)
{
	p_tp(a, "policy-current");
}
static void p_auto(struct app *a)
{
	p_tp(a, "policy-auto");
}
static void p_kernel(struct app *a)
{
	p_tp(a, "policy-kernel");
}
static void p_default(struct app *a)
{
	p_tp(a, "default-policy");
}
static void p_internal(struct app *a)
{
	p_tp(a, "toggle-internal");
}

static const struct {
	const char *name;
	void (*fn)(struct app *a);
} table[] = {
	{"cell-next", a_cell_next},
	{"cell-prev", a_cell_prev},
	{"edit", a_edit},
	{"command-mode", a_command_mode},
	{"insert-above", co_insert_above},
	{"insert-below", co_insert_below},
	{"cell-delete", co_delete},
	{"undo-cells", co_undo},
	{"redo-cells", co_redo},
	{"select-down", co_select_down},
	{"select-up", co_select_up},
	{"cut", co_cut},
	{"copy", co_copy},
	{"paste-below", co_paste_below},
	{"paste-above", co_paste_above},
	{"move-up", co_move_up},
	{"move-down", co_move_down},
	{"merge", co_merge},
	{"split", co_split},
	{"comment", hb_comment},
	{"suspend", view_suspend},
	{"clipboard-cell", osc52_copy_cell},
	{"clipboard-output", osc52_copy_output},
	{"to-code", co_to_code},
	{"to-markdown", co_to_markdown},
	{"to-raw", co_to_raw},
	{"run-advance", co_run_advance},
	{"run", co_run},
	{"run-insert", co_run_insert},
	{"interrupt", a_interrupt},
	{"restart", a_restart},
	{"top", a_top},
	{"bottom", a_bottom},
	{"page-up", a_page_up},
	{"page-down", a_page_down},
	{"search", a_search},
	{"search-next", a_search_next},
	{"search-prev", a_search_prev},
	{"fold", a_fold},
	{"pager", a_pager},
	{"clear-output", a_clear_output},
	{"save", a_save},
	{"quit", a_quit},
	{"help", a_help},
	{"cmdline", a_cmdline},
	{"redraw", a_redraw},
	{"attribution", a_attribution},
	{"threads", a_threads},
	{"misrouted", a_misrouted},
	{"left", e_left},
	{"right", e_right},
	{"up", e_up},
	{"down", e_down},
	{"word-left", e_word_left},
	{"word-right", e_word_right},
	{"home", e_home},
	{"end", e_end},
	{"backspace", e_backspace},
	{"delete", e_delete},
	{"delete-word", e_delete_word},
	{"newline", e_newline},
	{"complete", e_complete},
	{"inspect", e_inspect},
	{"undo", e_undo},
	{"redo", e_redo},
	{"close", p_close},
	{"line-down", p_down},
	{"line-up", p_up},
	{"select", p_select},
	{"policy-origin", p_origin},
	{"policy-current", p_current},
	{"policy-auto", p_auto},
	{"policy-kernel", p_kernel},
	{"default-policy", p_default},
	{"toggle-internal", p_internal},
};

int act_run(struct app *a, const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].name, name)) {
			table[i].fn(a);
			co_after_action(a, name);
			a->need_draw = 1;
			return 0;
		}
	return -1;
}

static void popup_key(struct app *a, const struct key *k)
{
	if (k->code == K_ESC) {
		a->mode = MODE_EDIT;
		return;
	}
	if (a->popup_complete) {
		if (k->code == K_DOWN || k->code == K_TAB || (k->code == 'n' && k->mods == M_CTRL)) {
			a->popup_sel = (a->popup_sel + 1) % a->npopup;
			return;
		}
		if (k->code == K_UP || (k->code == 'p' && k->mods == M_CTRL)) {
			a->popup_sel = (a->popup_sel + a->npopup - 1) % a->npopup;
			return;
		}
		if (k->code == K_ENTER && !k->mods) {
			const char *s = a->popup[a->popup_sel];
			editor_replace(a->ed, a->comp_start, a->comp_end, s, strlen(s));
			a->mode = MODE_EDIT;
			return;
		}
	} else if (k->code == K_DOWN || k->code == K_UP) {
		if (k->code == K_DOWN && a->popup_top + 1 < a->npopup)
			a->popup_top++;
		if (k->code == K_UP && a->popup_top)
			a->popup_top--;
		return;
	}
	/* any other key closes the popup and does what it does in edit mode */
	a->mode = MODE_EDIT;
	act_key(a, k);
}

static void mouse_key(struct app *a, const struct key *k)
{
	int y = k->mouse.y, row = 1;
	size_t i = a->top;
	long skip = a->top_off;

	if (k->mouse.button == KB_WHEEL_UP || k->mouse.button == KB_WHEEL_DOWN) {
		if (a->mode == MODE_PAGER)
			p_line(a, k->mouse.button == KB_WHEEL_UP ? -3 : 3);
		else
			app_scroll_rows(a, k->mouse.button == KB_WHEEL_UP ? -3 : 3);
		return;
	}
	if (k->mouse.button != KB_LEFT || k->mouse.action != KM_PRESS || a->mode != MODE_COMMAND)
		return;
	while (i < ncells(a)) {
		const struct rd_layout *l = app_layout(a, i);
		long h = l ? (long)l->nrows - skip : 1;

		if (y >= row && y < row + h) {
			app_focus(a, i);
			return;
		}
		row += (int)h;
		skip = 0;
		i++;
		if (row > a->rows)
			return;
	}
}

void act_key(struct app *a, const struct key *k)
{
	const char *name;
	unsigned long ver = a->ed ? editor_version(a->ed) : 0;
	int mode;

	a->need_draw = 1;
	if (k->code == K_FOCUS_IN || k->code == K_FOCUS_OUT)
		return;
	if (k->code == K_MOUSE) {
		mouse_key(a, k);
		return;
	}
	if (a->mode == MODE_ASK) {
		a->mode = a->back_mode == MODE_ASK ? MODE_COMMAND : a->back_mode;
		a->ask_cb(a, k->code);
		return;
	}
	if (a->mode == MODE_CMDLINE || a->mode == MODE_INPUT) {
		cl_key(a, k);
		return;
	}
	if (a->mode == MODE_POPUP) {
		popup_key(a, k);
		goto edited;
	}
	if (a->msg[0] && a->mode != MODE_PAGER)
		a->msg[0] = 0;
	mode = app_key_mode(a);
	name = km_lookup(&a->km, mode, k);
	if (name == KM_PREFIX)
		return;
	if (name) {
		act_run(a, name);
	} else if ((mode == KM_EDIT || mode == KM_COMMAND) && (k->mods & ~M_SHIFT) == M_ALT &&
		   (k->code < 0x110000 || k->code == K_ESC)) {
		/* Esc typed quickly before a key arrives as Alt-key: take it as both (Alt-Z is
		 * M-S-z: the Shift goes back into the letter) */
		struct key k2 = *k;

		k2.mods &= M_SHIFT;
		keys_normalize(&k2);
		if (mode == KM_EDIT)
			act_run(a, "command-mode");
		act_key(a, &k2);
		return;
	} else if (mode == KM_EDIT && a->ed) {
		if (k->code == K_PASTE) {
			editor_paste(a->ed, k->text, k->len);
		} else if (k->code < 0x110000 && k->code >= 0x20 && !(k->mods & ~M_SHIFT)) {
			char u[5];
			int c = k->code, n;

			if (c < 0x80)
				u[0] = (char)c, n = 1;
			else if (c < 0x800)
				u[0] = (char)(0xc0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3f)), n = 2;
			else if (c < 0x10000)
				u[0] = (char)(0xe0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3f)),
				u[2] = (char)(0x80 | (c & 0x3f)), n = 3;
			else
				u[0] = (char)(0xf0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3f)),
				u[2] = (char)(0x80 | ((c >> 6) & 0x3f)),
				u[3] = (char)(0x80 | (c & 0x3f)), n = 4;
			editor_insert(a->ed, u, (size_t)n);
		}
	} else if (mode == KM_COMMAND && k->code != K_ESC) {
		char kn[40];

		keys_name(k, kn, sizeof kn);
		if (k->code == 'c' && k->mods == M_CTRL)
			app_msg(a, 0, "I I interrupts the kernel, q quits");
		else if (k->code != K_PASTE)
			app_msg(a, 0, "%s: not a command key (h for help)", kn);
	}
edited:
	if (a->ed && editor_version(a->ed) != ver) {
		app_commit_edit(a);
		app_invalidate(a, a->cur);
		app_scroll_into_view(a);
	} else if (a->ed && (a->mode == MODE_EDIT || a->mode == MODE_POPUP)) {
		app_invalidate(a, a->cur); /* the cursor moved */
		app_scroll_into_view(a);
	}
}
