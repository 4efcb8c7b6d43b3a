// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Two modes on one line editor: mode_cmdline (the `:` command line and the `/` search line)
 * and mode_input (answering input() / getpass()), edited with GNU readline through its
 * callback interface and drawn by the view inside curses: readline never touches the terminal
 * (its getc reads from a queue filled from decoded keys, its output goes to /dev/null, its
 * redisplay only asks for a redraw). `:` lines keep a history and complete command names (from
 * the command table in cmdline.c), themes, config keys, kernel names and file names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "tui/app.h"
#include "tui/utf8.h"

static struct app *cl_app;
static int cl_kind;
static char cl_prompt[600];
static unsigned char q[256];
static size_t qhead, qlen;
static FILE *devnull;
static int active;
static HISTORY_STATE *cmd_hist; /* the `:` history, kept while an input() line is edited */

static int q_getc(FILE *f)
{
	unsigned char c;

	if (!qlen)
		return EOF;
	c = q[qhead];
	qhead = (qhead + 1) % sizeof q;
	qlen--;
	return c;
}

static int q_avail(void)
{
	return qlen > 0;
}

static void q_push(const char *s, size_t n)
{
	for (size_t i = 0; i < n && qlen < sizeof q; i++) {
		q[(qhead + qlen) % sizeof q] = (unsigned char)s[i];
		qlen++;
	}
}

static void redisplay(void)
{
	if (cl_app)
		cl_app->need_draw = 1;
}

static void prep(int meta)
{
}

static void deprep(void)
{
}

const char *cl_line(int *point, const char **prompt)
{
	*prompt = cl_prompt;
	*point = active && rl_line_buffer ? rl_point : 0;
	return active && rl_line_buffer ? rl_line_buffer : "";
}

/* The command table's names, NULL-terminated, for completion. */
static const char *const *command_names(void)
{
	static const char *names[64];
	size_t n;
	const struct cl_command *t = cl_commands(&n);

	if (!names[0])
		for (size_t i = 0; i < n && i + 1 < sizeof names / sizeof names[0]; i++)
			names[i] = t[i].name;
	return names;
}

static const char *const *gen_list;
static char *gen(const char *text, int state)
{
	static size_t i, len;

	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (gen_list && gen_list[i]) {
		const char *s = gen_list[i++];
		if (!strncmp(s, text, len))
			return strdup(s);
	}
	return NULL;
}

static char **kernel_names(void)
{
	size_t n = 0;
	struct kc_kernelspec **l = kc_kernelspec_list(&n, NULL);
	char **names = calloc(n + 1, sizeof *names);

	for (size_t i = 0; names && i < n; i++)
		names[i] = strdup(l[i]->name);
	kc_kernelspec_list_free(l, n);
	return names;
}

static char **complete(const char *text, int start, int end)
{
	static const char *const runs[] = {"all", "above", "below", NULL};
	static const char *const policies[] = {"kernel", "origin", "current", "auto", NULL};
	static char **kn;
	char cmd[32] = "";

	rl_attempted_completion_over = 1;
	sscanf(rl_line_buffer, "%31s", cmd);
	if (start == 0 || !strchr(rl_line_buffer, ' ') ||
	    (size_t)start <= strcspn(rl_line_buffer, " ")) {
		gen_list = command_names();
		return rl_completion_matches(text, gen);
	}
	if (!strcmp(cmd, "theme"))
		gen_list = theme_builtin_names();
	else if (!strcmp(cmd, "set"))
		gen_list = (const char *const *)config_keys;
	else if (!strcmp(cmd, "run"))
		gen_list = runs;
	else if (!strcmp(cmd, "routing"))
		gen_list = policies;
	else if (!strcmp(cmd, "kernel")) {
		if (!kn)
			kn = kernel_names();
		gen_list = (const char *const *)kn;
	} else {
		rl_attempted_completion_over = 0; /* file names */
		return NULL;
	}
	return rl_completion_matches(text, gen);
}

static void show_matches(char **matches, int n, int maxlen)
{
	char buf[512];
	size_t len = 0;

	for (int i = 1; i <= n && len < sizeof buf - 1; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s ", matches[i]);
	if (cl_app)
		app_msg(cl_app, 0, "%s", buf);
}

static void finish(void)
{
	rl_callback_handler_remove();
	active = 0;
	if (cl_kind == 'i' && cmd_hist) {
		history_set_history_state(cmd_hist);
		free(cmd_hist);
		cmd_hist = NULL;
	}
}

static void on_line(char *line)
{
	struct app *a = cl_app;
	int kind = cl_kind;

	finish();
	if (kind == 'i') {
		struct nb_cell *c = nb_doc_find(a->doc, a->input_cell);
		const char *v = line ? line : "";

		if (a->kc)
			kc_client_input_reply(a->kc, v);
		nb_out_stdin(a->out, a->input_parent, a->input_prompt, v, a->input_password);
		mode_pop(a);
		if (c)
			app_invalidate(a, (size_t)nb_doc_index(a->doc, c));
		app_scroll_into_view(a);
	} else {
		mode_pop(a); /* back where the line was started */
		if (kind == '/') {
			act_search(a, line ? line : "");
		} else if (line) {
			if (*line)
				add_history(line);
			a->msg[0] = 0;
			cl_exec(a, line);
		}
	}
	free(line);
	a->need_draw = 1;
}

void cl_init(struct app *a)
{
	cl_app = a;
	devnull = fopen("/dev/null", "r+");
	rl_readline_name = "bobbin";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = prep;
	rl_deprep_term_function = deprep;
	rl_getc_function = q_getc;
	rl_input_available_hook = q_avail;
	rl_redisplay_function = redisplay;
	rl_instream = devnull;
	rl_outstream = devnull;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_bind_key('\t', rl_complete);
	using_history();
}

void cl_end(struct app *a)
{
	if (active)
		finish();
	if (devnull)
		fclose(devnull);
	devnull = NULL;
}

void cl_start(struct app *a, int kind, const char *prompt)
{
	cl_cancel(a);
	cl_kind = kind;
	snprintf(cl_prompt, sizeof cl_prompt, "%s", prompt);
	if (kind == 'i') {
		/* input() answers stay out of the `:` history */
		cmd_hist = history_get_history_state();
		history_set_history_state(&(HISTORY_STATE){0});
	}
	qhead = qlen = 0;
	rl_callback_handler_install("", on_line);
	active = 1;
	mode_push(a, kind == 'i' ? &mode_input : &mode_cmdline, NULL);
}

void cl_cancel(struct app *a)
{
	while (active && (mode_on(a, &mode_cmdline) || mode_on(a, &mode_input)))
		mode_pop(a);
	if (active)
		finish();
}

void cl_input_cancel(struct app *a)
{
	if (mode_on(a, &mode_input))
		cl_cancel(a);
}

/* Leaving either mode ends the line; an input() left unanswered no longer shows its prompt. */
static void line_leave(struct app *a, void *data)
{
	int kind = cl_kind;

	if (active)
		finish();
	if (kind == 'i') {
		a->input_cell[0] = 0;
		app_invalidate_all(a);
	}
}

/* Key events back into the bytes readline's emacs keymap knows. */
static size_t key_bytes(const struct key *k, char *b)
{
	size_t n = 0;
	int c = k->code;

	if (k->mods & M_ALT)
		b[n++] = '\033';
	switch (c) {
	case K_ENTER:
		b[n++] = '\r';
		return n;
	case K_TAB:
		b[n++] = '\t';
		return n;
	case K_BACKSPACE:
		b[n++] = 0x7f;
		return n;
	case K_LEFT:
		memcpy(b + n, "\033[D", 3);
		return n + 3;
	case K_RIGHT:
		memcpy(b + n, "\033[C", 3);
		return n + 3;
	case K_UP:
		memcpy(b + n, "\033[A", 3);
		return n + 3;
	case K_DOWN:
		memcpy(b + n, "\033[B", 3);
		return n + 3;
	case K_HOME:
		b[n++] = 1;
		return n;
	case K_END:
		b[n++] = 5;
		return n;
	case K_DELETE:
		b[n++] = 4;
		return n;
	}
	if (c >= K_ENTER)
		return 0;
	if (k->mods & M_CTRL) {
		if (c >= 'a' && c <= 'z')
			b[n++] = (char)(c - 'a' + 1);
		else if (c == '_')
			b[n++] = 0x1f;
		return n;
	}
	return n + utf8_encode((uint32_t)c, b + n);
}

static enum mode_result line_key(struct app *a, void *data, const struct key *k)
{
	char b[16];
	size_t n;

	if (!active || k->code == K_MOUSE)
		return MODE_IGNORED;
	if (k->code == K_ESC && !k->mods) {
		if (cl_kind == 'i')
			return MODE_HANDLED; /* the kernel waits for an answer: Enter or C-c */
		cl_cancel(a);
		return MODE_REDRAW;
	}
	if (k->code == 'c' && k->mods == M_CTRL) {
		int input = cl_kind == 'i';

		cl_cancel(a);
		if (input)
			app_kernel_interrupt(a);
		return MODE_REDRAW;
	}
	if (k->code == K_BACKSPACE && cl_kind != 'i' && rl_end == 0) {
		cl_cancel(a);
		return MODE_REDRAW;
	}
	if (k->code == K_PASTE) {
		for (size_t i = 0; i < k->len; i++) {
			char c = k->text[i] == '\n' || k->text[i] == '\t' ? ' ' : k->text[i];
			q_push(&c, 1);
			if (qlen > 128)
				while (qlen && active)
					rl_callback_read_char();
		}
	} else if ((n = key_bytes(k, b)) > 0) {
		q_push(b, n);
	}
	while (qlen && active)
		rl_callback_read_char();
	return MODE_REDRAW;
}

static void cmdline_status(struct app *a, void *data, struct mode_status *st)
{
	st->line = cl_line(&st->point, &st->prompt);
}

static void input_status(struct app *a, void *data, struct mode_status *st)
{
	st->label = "INPUT"; /* the answer is drawn on the cell's input row */
}

const struct mode mode_cmdline = {
	.name = "cmdline",
	.leave = line_leave,
	.key = line_key,
	.status = cmdline_status,
};

const struct mode mode_input = {
	.name = "input",
	.leave = line_leave,
	.key = line_key,
	.status = input_status,
};
