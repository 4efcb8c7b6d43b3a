// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's shared state and the calls between its parts: app.c (start-up, the one
 * poll loop, the kernel and the document), view.c (the only curses code besides
 * theme_curses.c), actions.c (keys to named actions), cmdline.c (the `:` line and input()
 * prompts on readline's callback interface), recover.c (the recovery file) and
 * threads_pane.c (routing: threads pane and misrouting list). Model changes only set flags
 * (need_draw, a cell's cache entry invalid); the loop redraws at most ~30 times a second.
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
#include "tui/render.h"
#include "tui/theme.h"

enum app_mode {
	MODE_COMMAND,
	MODE_EDIT,
	MODE_CMDLINE, /* the `:` line or the `/` search line */
	MODE_INPUT,   /* answering input() / getpass() */
	MODE_PAGER,   /* an output, or the help screen */
	MODE_ASK,     /* a one-key question in the bottom line */
	MODE_POPUP,   /* completions or inspect text over the editor */
	MODE_THREADS, /* the threads pane */
	MODE_LIST     /* the misrouting list, the kernel picker */
};

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
	char cell_id[64];
	size_t out_index;
	long long ident;
	int role;
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
	int mode, back_mode; /* back_mode: where cmdline/pager/ask return */
	int pager_help;
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
	/* input() */
	char input_prompt[512];
	int input_password;
	char input_cell[64];
	char input_parent[64];
	/* pager and help */
	struct rd_layout pager;
	long pager_top;
	/* a one-key question */
	char ask[512];
	void (*ask_cb)(struct app *a, int key);
	/* popups: completions or inspect text */
	char **popup;
	size_t npopup, popup_sel, popup_top;
	int popup_complete; /* 1: completions, 0: inspect text lines */
	size_t comp_start, comp_end;
	char pending_req[64]; /* msg_id of the complete/inspect we wait for */
	/* lists */
	struct app_item *items;
	size_t nitems, item_sel;
	int list_kind; /* 0 misrouted, 1 kernel picker */
	char list_head[256]; /* column headers under the title (threads pane, misrouting list) */
	int show_internal;   /* the threads pane lists the kernel's own threads too */
	char list_title[128];
	int attribution;
	char pending_attrib_cell[64]; /* the cell app_attrib() answers for */
	int quit;
	long long last_draw_ms, last_autosave_ms, last_tick_ms;
	int recover_flag; /* --recover */
	int mouse;
	int no_kernel;
	void *view; /* view.c's private state */
};

/* ---- app.c ---- */
void app_msg(struct app *a, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The cell's layout (cached); NULL when out of memory. */
const struct rd_layout *app_layout(struct app *a, size_t index);
void app_invalidate(struct app *a, size_t index); /* one cell's layout */
void app_invalidate_all(struct app *a);           /* cells moved, width changed */
/* Writes the editor's text back into its cell. */
void app_commit_edit(struct app *a);
void app_edit_start(struct app *a);
void app_edit_stop(struct app *a);
/* Moves the focus and scrolls so the cell (and the cursor while editing) shows. */
void app_focus(struct app *a, size_t index);
void app_scroll_into_view(struct app *a);
void app_scroll_rows(struct app *a, long rows);
int app_cell_unfolded(struct app *a, const char *id);
void app_toggle_unfold(struct app *a, const char *id);
/* Queues cells for execution. */
void app_run_cell(struct app *a, size_t index);
void app_run_range(struct app *a, size_t from, size_t to);
int app_kernel_start(struct app *a, const char *name);
void app_kernel_restart(struct app *a);
void app_kernel_interrupt(struct app *a);
/* 0 saved, -1 not (message shown). path NULL: the notebook's own. */
int app_save(struct app *a, const char *path, int force);
/* Quits, asking first when there are unsaved changes (unless force). */
void app_quit(struct app *a, int force);
/* Asks a one-key question; cb gets the key's code (K_ESC when cancelled). */
void app_ask(struct app *a, void (*cb)(struct app *a, int key), const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int app_running_index(struct app *a, long *elapsed_ms); /* -1 when idle */
int app_cell_queued(struct app *a, const char *id);
void app_complete(struct app *a);
void app_inspect(struct app *a);
int app_load(struct app *a, const char *path, int force); /* :e, :e! */
void act_search(struct app *a, const char *text);
void app_set_theme(struct app *a, const char *name);
/* Fills the attribution of output i of the cell (for the layout). */
int app_attrib(void *ud, size_t out_index, struct rd_attrib *at);
int app_key_mode(struct app *a); /* KM_* for the current mode */
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
int view_text_rows(struct app *a); /* rows for cells */

/* ---- actions.c ---- */
void act_key(struct app *a, const struct key *k);
/* Runs a named action; 0, or -1 if there is none of that name. */
int act_run(struct app *a, const char *name);

/* ---- cmdline.c ---- */
void cl_init(struct app *a);
void cl_end(struct app *a);
/* kind ':' command line, '/' search, 'i' input() answer */
void cl_start(struct app *a, int kind, const char *prompt);
void cl_key(struct app *a, const struct key *k);
/* The line being edited and the cursor's byte offset in it, for drawing. */
const char *cl_line(int *point, const char **prompt);
int cl_exec(struct app *a, const char *line); /* runs a `:` command */
void cl_cancel(struct app *a);

/* ---- recover.c ---- */
void rec_path(const char *nbpath, char *buf, size_t size);
int rec_write(struct app *a);
void rec_remove(struct app *a);
/* 1 if a recovery file exists for path, with its modification time in *mtime. */
int rec_exists(const char *nbpath, long long *mtime);

/* ---- threads_pane.c ---- */
void tp_open_threads(struct app *a);
void tp_open_misrouted(struct app *a);
void tp_refresh(struct app *a);
void tp_action(struct app *a, const char *name);
void tp_routing(struct app *a, const char *policy);
void tp_route(struct app *a, const char *rule);
void tp_on_routing(struct app *a, const char *event, json_t *data);

#endif
