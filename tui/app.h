// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's shared state and the calls between its parts.
 *   app.c          start-up, the one poll loop, and the services the modes share (messages,
 *                  questions, editing the focused cell, the theme)
 *   app_kernel.c   the kernel, its callbacks, input() requests, the execution queue
 *   app_layout.c   the layout cache the view draws from, attribution labels, scrolling
 *   app_file.c     reading (a large file a slice at a time), saving, :e, quitting
 *   mode.h, mode.c the modes (small vtables) and their stack; one file per mode:
 *                  mode_cells.c (command and edit), mode_cmdline.c (the `:`, `/` and input()
 *                  lines), mode_ask.c, mode_popup.c (completions, inspect), mode_pager.c (an
 *                  output, the help), mode_list.c (generic list: misrouting), mode_kernels.c (the
 *                  kernel picker), mode_threads.c (the threads pane, :routing, :route)
 *   actions.c      the action table (name, help, handler) keymap.c's bindings name; the help
 *   cmdline.c      the `:` command table (name, arguments, help, handler)
 *   view.c         the only curses code besides theme_curses.c
 *   recover.c      the recovery file
 *   session*.c     the session that survives the terminal: detach, reattach (session.h)
 * Model changes only set flags (need_draw, a cell's cache entry invalid); keys go to the mode on
 * top, which says whether the screen needs a redraw; the loop redraws at most ~30 times a second.
 */
#ifndef BOBBIN_APP_H
#define BOBBIN_APP_H

#include <stddef.h>
#include <curses.h>

#include "kernelclient/kc.h"
#include "notebook/nb.h"
#include "notebook/nb_output.h"
#include "tui/config.h"
#include "tui/editor.h"
#include "tui/kernel_open.h"
#include "tui/keymap.h"
#include "tui/keys.h"
#include "tui/mode.h"
#include "tui/render.h"
#include "tui/theme.h"

/* A cell execution sent or waiting to be sent, oldest first: the first one is running. */
struct app_exec {
	char cell_id[64];
	char msg_id[64]; /* "" until sent (kernel still starting) */
	long long start_ms;
};

/* A cell's layout and what it was made from. */
struct app_cache {
	struct rd_layout lay;
	int valid;
	int width, gutter, focused, editing, running, queued, unfolded, tail, note, input;
	long count;
	unsigned long edver;
};

/* One line of a list (misrouting list, kernel picker, threads pane). */
struct app_item {
	char text[256];
	char cell_id[64]; /* the cell (misrouting list) or the kernelspec's name (picker) */
	size_t out_index;
	long long ident;
	int role;
};

/* A list on the screen: the data of mode_list, mode_kernels and mode_threads (mode_list.c). */
struct app_list {
	struct app_item *items;
	size_t nitems, sel;
	char title[128];
	char head[256]; /* column headers under the title; "" for none */
	/* mode_list: Enter on an item (the list is popped first); borrowed item */
	void (*on_select)(struct app *a, const struct app_item *it);
	int chosen; /* mode_kernels: an item was picked (closing without one says so) */
};

struct mode_entry {
	const struct mode *m;
	void *data;
};

struct app {
	struct nb_doc *doc;
	struct nb_out *out;
	struct kc_client *kc;
	struct kernel_opts kopts;
	char path[4096]; /* "" for a new notebook not yet saved */
	char kernel_name[128];
	char kernel_display[128];
	int kernel_ready; /* saw the kernel ready since the last start/restart */
	int kernel_dead;
	int kernel_pending; /* the first screen is drawn before the kernel is started */
	char load_err[320]; /* why the rest of a notebook read after the first screen was refused */
	/* The kernelspec of the kernel started, when the notebook's metadata names another (or none):
	 * written into the metadata when the user first runs something, not before (starting a
	 * kernel is not an edit). Owned; NULL when there is nothing to write. */
	json_t *pending_ks;
	char dead_cell[64];
	struct config cfg;
	struct theme theme;
	enum theme_depth depth; /* as curses can draw it */
	attr_t attrs[THEME_NROLES];
	int utf8;
	int rows, cols;
	struct mode_entry modes[MODE_DEPTH]; /* the stack: modes[0] is mode_cells */
	int nmodes;
	size_t cur;          /* focused cell */
	size_t top;          /* first cell on screen */
	int top_off;         /* rows of it scrolled away */
	struct editor *ed;   /* while editing */
	char edit_id[64];
	struct km_state km;
	struct keys *keys;
	int need_draw, full_redraw;
	int outputs_changed; /* since the last draw: keep the focused cell in view */
	struct app_cache *cache;
	size_t ncache;
	char msg[512];
	int msg_err;
	struct app_exec *execs;
	size_t nexec, capexec;
	struct nb_cell **clip;
	size_t nclip;
	struct nb_undo *cundo; /* cell operations' undo (cellops.c) */
	size_t sel_anchor;     /* with sel_on: the selection is [anchor, cur] (either order) */
	int sel_on;
	struct ed_cache *edc;  /* editors of cells left, with their undo (edcache.c) */
	struct rp_session *rps; /* a :s in progress (replace.c) */
	char search[256];
	char **unfolded;
	size_t nunfolded;
	/* input(), while mode_input is on the stack */
	char input_prompt[512];
	int input_password;
	char input_cell[64];
	char input_parent[64];
	char pending_req[64]; /* msg_id of the complete/inspect we wait for */
	int attribution;
	char pending_attrib_cell[64]; /* the cell app_attrib() answers for */
	int quit;
	long long last_draw_ms, last_autosave_ms, last_tick_ms;
	int recover_flag; /* --recover */
	int mouse;
	int no_kernel;
	void *view; /* view.c's private state */
};

/* ---- app.c: the loop and shared services ---- */
void app_msg(struct app *a, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Asks a one-key question (mode_ask); cb gets the key's code (K_ESC when cancelled). */
void app_ask(struct app *a, void (*cb)(struct app *a, int key), const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Writes the editor's text back into its cell. */
void app_commit_edit(struct app *a);
void app_edit_start(struct app *a);
void app_edit_stop(struct app *a);
void app_set_theme(struct app *a, const char *name);
/* The end on SIGTERM (and SIGHUP without a session): the recovery file, then quit. */
void app_hangup(struct app *a);

/* ---- app_layout.c: the layout cache, scrolling ---- */
/* The cell's layout (cached; borrowed until the cell's next layout); NULL when out of memory. */
const struct rd_layout *app_layout(struct app *a, size_t index);
void app_invalidate(struct app *a, size_t index); /* one cell's layout */
void app_invalidate_id(struct app *a, const char *cell_id); /* the same, by id; none: nothing */
void app_invalidate_all(struct app *a);           /* cells moved, width changed */
/* Moves the focus and scrolls so the cell (and the cursor while editing) shows. */
void app_focus(struct app *a, size_t index);
void app_scroll_into_view(struct app *a);
void app_scroll_rows(struct app *a, long rows);
/* Scrolls so cell i's last row shows (mid-screen when it fits), without moving the focus. */
void app_show_end(struct app *a, size_t i);
int app_cell_unfolded(struct app *a, const char *id);
void app_toggle_unfold(struct app *a, const char *id);
/* Fills the attribution of output i of the cell (for the layout). */
int app_attrib(void *ud, size_t out_index, struct rd_attrib *at);

/* ---- app_kernel.c: the kernel, execution ---- */
/* Queues cells for execution. */
void app_run_cell(struct app *a, size_t index);
void app_run_range(struct app *a, size_t from, size_t to);
int app_running_index(struct app *a, long *elapsed_ms); /* -1 when idle */
int app_cell_queued(struct app *a, const char *id);
/* 0 started (or attached), -1 not (message shown, or the kernel picker opened). */
int app_kernel_start(struct app *a, const char *name);
/* The kernel: -k, else the notebook's, else python3; never another one silently. */
void app_kernel_for_doc(struct app *a);
void app_kernel_restart(struct app *a);
void app_kernel_interrupt(struct app *a);

/* ---- app_file.c: reading, saving, quitting ---- */
/* A notebook from path (NULL or a missing file: a new one, *is_new set); first: 0 reads the
 * whole file, else that much now and the rest through app_load_more(). NULL with why filled
 * when it cannot be read. Caller frees (or attaches). */
struct nb_doc *app_doc_open(const char *path, size_t first, int *is_new, char *why, size_t size);
/* Reads more of a notebook still being loaded (all of it with budget SIZE_MAX); when it is
 * complete, starts the kernel that waited for its metadata. -1 (and quit) when the rest of the
 * file turns out bad. */
int app_load_more(struct app *a, size_t budget);
/* Makes d the notebook shown (takes it; frees the one before) with a new output model. */
void app_doc_attach(struct app *a, struct nb_doc *d);
int app_load(struct app *a, const char *path, int force); /* :e, :e! */
/* 0 saved, -1 not (message shown). path NULL: the notebook's own. */
int app_save(struct app *a, const char *path, int force);
/* Quits, asking first when there are unsaved changes (unless force). */
void app_quit(struct app *a, int force);
/* The notebook's language name (metadata, else the kernel's); borrowed, never NULL. */
const char *app_lang_name(struct app *a);

/* ---- habits.c: JupyterLab habits (comment toggle, …) ---- */
void hb_comment(struct app *a);
/* Appends to the message line what loading repaired (warnings: duplicate ids replaced, …) or
 * what a save will change (nbformat upgrade, a kernelspec written). */
void hb_load_note(struct app *a);

/* ---- cellops.c: cell operations on the selection, with undo ---- */
int co_selected(struct app *a, size_t i); /* cell i is in a selection of several cells */
void co_after_action(struct app *a, const char *name); /* ends the selection unless kept */
void co_reset(struct app *a);      /* another document: forgets the undo histories */
void co_forget(struct app *a);     /* co_reset() and frees the clipboard */
void co_clip_clear(struct app *a);
void co_select_down(struct app *a);
void co_select_up(struct app *a);
void co_undo(struct app *a);
void co_redo(struct app *a);
void co_insert_above(struct app *a);
void co_insert_below(struct app *a);
void co_copy(struct app *a);
void co_cut(struct app *a);
void co_delete(struct app *a);
void co_paste_below(struct app *a);
void co_paste_above(struct app *a);
void co_move_up(struct app *a);
void co_move_down(struct app *a);
void co_merge(struct app *a);
void co_split(struct app *a);
void co_to_code(struct app *a);
void co_to_markdown(struct app *a);
void co_to_raw(struct app *a);
void co_run(struct app *a);
void co_run_advance(struct app *a);
void co_run_insert(struct app *a);

/* ---- replace.c: :s/PAT/REP/ and :%s ---- */
void rp_start(struct app *a, const char *line);
void rp_end(struct app *a); /* drops a :s still asking (at exit) */

/* ---- osc52.c: the system clipboard ---- */
void osc52_copy_cell(struct app *a);
void osc52_copy_output(struct app *a);

/* ---- edcache.c: a cell's editor (and its undo) kept after leaving the cell ---- */
/* The editor kept for cell id if its text is still src (taken out of the cache), else NULL. */
struct editor *ec_take(struct app *a, const char *id, const char *src);
/* Keeps ed (takes it) for cell id; the oldest kept editor goes past a few. */
void ec_keep(struct app *a, const char *id, struct editor *ed);
void ec_free(struct app *a);

/* ---- view.c ---- */
int view_init(struct app *a);
void view_end(struct app *a);
void view_draw(struct app *a);
void view_apply_theme(struct app *a);
void view_resize(struct app *a);
void view_raw(const char *s); /* writes our own terminal control sequences */
/* Ctrl-Z: gives the terminal back as it was (modes off, curses ended), stops the process, and
 * takes the terminal again when continued. */
void view_suspend(struct app *a);
void view_resume(struct app *a); /* the terminal taken again after a suspend */
int view_text_rows(struct app *a); /* rows for cells */
/* What the modes draw with (the only curses calls are in view.c): the cells, a laid-out text
 * from row top, a list, a popup (sel NULL: text lines, scrolled by *top) at the cursor. */
void view_cells(struct app *a, struct mode_cursor *cur);
void view_layout(struct app *a, const struct rd_layout *lay, long top);
void view_list(struct app *a, const struct app_list *l);
void view_popup(struct app *a, const char *const *lines, size_t n, size_t *sel, size_t *top,
		const struct mode_cursor *cur);

/* ---- actions.c ---- */
/* One row of the action table. */
struct act_entry {
	const char *name; /* what keymap.c's bindings name */
	const char *help; /* one line on the help screen */
	void (*fn)(struct app *a);
};
const struct act_entry *act_table(size_t *n);
const struct act_entry *act_find(const char *name); /* NULL if there is none of that name */
/* A key, to the mode on top; the loop redraws on MODE_REDRAW. */
enum mode_result act_key(struct app *a, const struct key *k);
/* Runs the action bound to k in keymap (KM_*): MODE_IGNORED when k is bound to nothing. */
enum mode_result act_bound(struct app *a, int keymap, const struct key *k);
/* Runs a named action; 0, or -1 (and a message saying so) if there is none of that name. */
int act_run(struct app *a, const char *name);
/* image_act.c: the focused cell's image to a file / $BOBBIN_IMAGE_VIEWER; the rich-output
 * options of the screen (pager: images as tall as the screen) */
struct mime_opts;
void act_image(struct app *a);
void app_mime_opts(struct app *a, struct mime_opts *mo, int pager);
void act_search(struct app *a, const char *text);
/* The help screen, from the keymap, the action table and the command table (replaces l). */
void act_help(struct rd_layout *l);

/* ---- cmdline.c: the `:` commands ---- */
/* One row of the command table. */
struct cl_command {
	const char *name; /* as typed after ':' ("w!") */
	const char *args; /* for the help: "[FILE]", "" for none */
	const char *help;
	/* name: the row's name; arg: the rest of the line, trimmed ("" for none) */
	void (*fn)(struct app *a, const char *name, const char *arg);
};
const struct cl_command *cl_commands(size_t *n);
int cl_exec(struct app *a, const char *line); /* runs a `:` line; -1 if no such command */

/* ---- mode_cmdline.c: the `:`, `/` and input() lines ---- */
void cl_init(struct app *a);
void cl_end(struct app *a);
/* kind ':' command line, '/' search, 'i' input() answer: pushes mode_cmdline or mode_input */
void cl_start(struct app *a, int kind, const char *prompt);
/* The line being edited and the cursor's byte offset in it, for drawing. */
const char *cl_line(int *point, const char **prompt);
void cl_cancel(struct app *a); /* ends the line being edited, and pops its mode */
void cl_input_cancel(struct app *a); /* the same, only for an input() answer */

/* ---- mode_cells.c ---- */
/* After a key that may have edited: the text into the cell, the cursor into view. */
void cells_edited(struct app *a, unsigned long editor_version_before);

/* ---- mode_ask.c ---- */
void ask_open(struct app *a, void (*cb)(struct app *a, int key), const char *question);

/* ---- mode_popup.c ---- */
/* Ask the kernel for completions / documentation at the editor's cursor; the reply opens the
 * popup. */
void popup_complete(struct app *a);
void popup_inspect(struct app *a);

/* ---- mode_pager.c ---- */
void pager_open_output(struct app *a); /* the focused cell's outputs */
void pager_open_help(struct app *a);
void pager_open_page(struct app *a, json_t *data); /* a page payload's bundle (`obj?`) */

/* ---- mode_list.c ---- */
/* A list with room for nitems items (none used yet); NULL when out of memory. */
struct app_list *list_new(size_t nitems);
void list_free(struct app_list *l);
/* Pushes mode_list; takes l. */
void list_open(struct app *a, struct app_list *l);
/* For the list modes' vtables: free, move, draw, the bottom line, and keys through keymap. */
void list_leave(struct app *a, void *data);
void list_move(struct app *a, void *data, enum mode_move how);
void list_draw(struct app *a, void *data, struct mode_cursor *cur);
void list_status(struct app *a, void *data, struct mode_status *st);
enum mode_result list_keys(struct app *a, int keymap, const struct key *k);

/* ---- mode_kernels.c ---- */
/* The kernel picker, with why (shown as an error) in the bottom line. */
void kernels_pick(struct app *a, const char *why);

/* ---- recover.c ---- */
void rec_path(const char *nbpath, char *buf, size_t size);
int rec_write(struct app *a);
void rec_remove(struct app *a);
/* 1 if a recovery file exists for path, with its modification time in *mtime. */
int rec_exists(const char *nbpath, long long *mtime);

/* ---- mode_threads.c: routing ---- */
void tp_open_threads(struct app *a);
void tp_open_misrouted(struct app *a);
void tp_refresh(struct app *a);
void tp_action(struct app *a, const char *name);
void tp_routing(struct app *a, const char *policy);
void tp_route(struct app *a, const char *rule);
void tp_on_routing(struct app *a, const char *event, json_t *data);

#endif
