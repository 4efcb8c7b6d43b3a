// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin console`, shared between its modules: console.c (options, the poll loop, the input
 * state machine, piped mode), console_out.c (printing kernel output with its provenance, above
 * the line being edited), console_rl.c (readline: prompts, history, completion, hidden input)
 * and console_cmd.c (the backslash commands). One thread: everything runs from the loop in
 * console.c or from a bounded nested wait inside a readline callback.
 */
#ifndef BOBBIN_CONSOLE_H
#define BOBBIN_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

#include "kernelclient/kc.h"
#include "notebook/nb.h"
#include "notebook/nb_output.h"
#include "tui/kernel_open.h"
#include "tui/mime.h"
#include "tui/theme.h"

enum con_mode {
	CON_IDLE,     /* nothing installed (starting, or between states) */
	CON_PROMPT,   /* readline reads a line of code */
	CON_CHECKING, /* is_complete sent for the block, waiting */
	CON_RUNNING,  /* an execute is running */
	CON_INPUT,    /* readline reads an answer to input()/getpass() */
};

struct con_buf {
	char *p; /* owned */
	size_t len, cap;
};

struct console {
	struct kc_client *kc; /* owned */
	struct kernel_opts ko;
	int interactive;      /* stdin is a terminal: readline */
	int color;            /* stdout is a terminal and NO_COLOR unset: SGR from the kernel passes */
	struct theme theme;   /* the prompts' and labels' roles (console_theme.c) */
	enum theme_depth depth;
	int allow_errors;
	int sigfd;
	int quit;
	int status;           /* exit status */
	enum con_mode mode;

	/* The block being typed (interactive) and the continuation indent the kernel suggested. */
	struct con_buf block;
	char indent[128];
	long next_count;      /* number shown in the next In [n] */
	int count_known;      /* the startup request for the count answered */
	char check_id[64];    /* is_complete in flight ("" when none) */

	/* The execution running now. */
	char exec_id[64];
	char exec_cell[64];   /* its cell in doc */
	int exec_replied, exec_idle, exec_error;
	long long exec_replied_at;

	/* Output model: one code cell per execution, for provenance. */
	struct nb_doc *doc;   /* owned */
	struct nb_out *out;   /* owned */
	char last_started[64];/* cell whose execution went busy last */

	/* Terminal output state (console_out.c). */
	int at_bol;           /* the terminal cursor is at the start of a line */
	int defer;            /* inside a readline callback: collect output, print it after */
	struct con_buf deferred;
	char last_label[512]; /* label of the last chunk printed ("" for the current cell) */
	struct con_buf partial[2]; /* stdout/stderr text after the last newline, held while a
				    * prompt is shown so a line split over messages stays whole */
	long long partial_at;
	char foreign[8][64];   /* msg_ids of other clients' executions seen lately (ring) */
	unsigned nforeign;  /* when the held text arrived (ms) */

	/* readline (console_rl.c) */
	int rl_installed;     /* a callback handler is installed */
	int rl_hidden;        /* password entry: the line is not shown */
	char histfile[4096];
	int hist_ok;

	/* Kernel death */
	int dead_reported;

	/* Lines typed while code runs (readline is not installed then; the terminal echoes them):
	 * backslash commands run at once, code lines wait for the next prompts (console.c). */
	struct con_buf ahead; /* bytes read, up to the next newline */
	struct con_buf held;  /* code lines waiting, each ending in "\n" */
	int held_eof;         /* Ctrl-D typed while code ran: leave at the next prompt */
};

/* console_theme.c */
/* Loads the theme (name, else the config's; borrowed, may be NULL) and decides the colour depth (NO_COLOR or no terminal: c->color = 0). */
void con_theme_init(struct console *c, const char *name);
/* The SGR sequence for a theme role (role < 0: reset) into buf, "" without colour; returns buf. */
const char *con_sgr(const struct console *c, int role, char buf[ST_SGR_MAX]);

/* console_out.c */
void con_buf_add(struct con_buf *b, const char *s, size_t n);
void con_buf_free(struct con_buf *b);
/* Every iopub message, for printing and the output model. */
void con_on_iopub(struct console *c, const struct kc_msg *m);
/* A page payload's MIME bundle (`obj?`), printed from the start of a line. */
void con_print_page(struct console *c, json_t *data);
/* Prints bobbin's own message line (not kernel text; still filtered), above the prompt if one is
 * shown. */
void con_note(struct console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An image output (image/png, image/jpeg, image/gif) of data printed at the cursor in the
 * pixel protocol the config forces (mo->images kitty, sixel or iterm), after a newline when
 * nl_first, then a newline: 1, or 0 when nothing was printed (f is no terminal, another
 * setting, no image, or it does not decode). Inside tmux ($TMUX) through its
 * passthrough when tmux says where the pane's cursor is and the image fits the pane; over ssh
 * from inside tmux (TERM tmux…, no $TMUX) never. */
int con_pixels(FILE *f, json_t *data, const struct mime_opts *mo, int nl_first);
/* Writes text that is already safe, above any prompt. err: to stderr. */
void con_print(struct console *c, int err, const char *s, size_t n);
/* Ends a partial output line before a prompt is shown. */
void con_newline_if_needed(struct console *c);
/* Prints what was collected while defer was set. */
void con_flush_deferred(struct console *c);
/* Prints held partial lines (all of them, or those older than 150 ms when !all). */
void con_flush_partial(struct console *c, int all);

/* console_rl.c */
void con_rl_init(struct console *c, const char *language);
void con_rl_finish(struct console *c);
/* Installs the line handler with prompt for code (cont: continuation) or for input_request. */
void con_rl_prompt_code(struct console *c, int cont);
void con_rl_prompt_input(struct console *c, const char *prompt, int password);
void con_rl_remove(struct console *c);
void con_rl_read(struct console *c);       /* stdin is readable */
void con_rl_clear_line(struct console *c); /* Ctrl-C at the prompt */
void con_rl_resize(struct console *c);     /* SIGWINCH */
void con_rl_history_add(struct console *c, const char *line);
/* Hooks around printing while a line is on screen. */
void con_rl_hide(struct console *c);
void con_rl_show(struct console *c);

/* console.c: the line handler's targets */
void con_line_code(struct console *c, char *line);  /* line owned by the callee; NULL on EOF */
void con_line_input(struct console *c, char *line); /* same */
/* Runs the client until *done or ms pass, printing nothing directly (defer). */
void con_wait(struct console *c, const int *done, long ms);

/* console_cmd.c: a line starting with a backslash. Returns 1 when handled. */
int con_command(struct console *c, const char *line);
/* console_rl.c: runs text (len bytes, one line) at the prompt as if it had been typed there. */
void con_rl_submit(struct console *c, const char *text, size_t len);
void con_report_routing(struct kc_client *kc, const char *event, json_t *data, void *ud);

#endif
