// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The `:` command line, the `/` search line and input() answers, edited with GNU readline
 * through its callback interface and drawn by the view inside curses: readline never touches
 * the terminal (its getc reads from a queue filled from decoded keys, its output goes to
 * /dev/null, its redisplay only asks for a redraw). `:` lines keep a history and complete
 * command names, themes, config keys, kernel names and file names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "tui/app.h"
#include "tui/replace.h"

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

static const char *const commands[] = {
	"w", "w!", "q", "q!", "wq", "x", "e", "e!", "kernel", "restart", "interrupt", "run", "clear",
	"theme", "set", "help", "threads", "misrouted", "attribution", "routing", "route", "noh",
	NULL};

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
		gen_list = commands;
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
	a->mode = a->back_mode == MODE_EDIT && kind != 'i' ? MODE_EDIT : MODE_COMMAND;
	if (kind == 'i') {
		struct nb_cell *c = nb_doc_find(a->doc, a->input_cell);
		const char *v = line ? line : "";

		a->mode = MODE_COMMAND;
		if (a->kc)
			kc_client_input_reply(a->kc, v);
		nb_out_stdin(a->out, a->input_parent, a->input_prompt, v, a->input_password);
		a->input_cell[0] = 0;
		if (c)
			app_invalidate(a, (size_t)nb_doc_index(a->doc, c));
		app_scroll_into_view(a);
	} else if (kind == '/') {
		act_search(a, line ? line : "");
	} else if (line) {
		if (*line)
			add_history(line);
		a->msg[0] = 0;
		cl_exec(a, line);
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
	if (active)
		finish();
	cl_kind = kind;
	snprintf(cl_prompt, sizeof cl_prompt, "%s", prompt);
	if (kind == 'i') {
		/* input() answers stay out of the `:` history */
		cmd_hist = history_get_history_state();
		history_set_history_state(&(HISTORY_STATE){0});
		a->mode = MODE_INPUT;
	} else {
		a->back_mode = a->mode;
		a->mode = MODE_CMDLINE;
	}
	qhead = qlen = 0;
	rl_callback_handler_install("", on_line);
	active = 1;
	a->need_draw = 1;
}

void cl_cancel(struct app *a)
{
	int kind = cl_kind;

	if (!active)
		return;
	finish();
	if (kind == 'i') {
		a->input_cell[0] = 0;
		a->mode = MODE_COMMAND;
		app_invalidate_all(a);
	} else {
		a->mode = a->back_mode == MODE_EDIT ? MODE_EDIT : MODE_COMMAND;
	}
	a->need_draw = 1;
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
	if (c < 0x80)
		b[n++] = (char)c;
	else if (c < 0x800)
		b[n++] = (char)(0xc0 | c >> 6), b[n++] = (char)(0x80 | (c & 0x3f));
	else if (c < 0x10000)
		b[n++] = (char)(0xe0 | c >> 12), b[n++] = (char)(0x80 | ((c >> 6) & 0x3f)),
		b[n++] = (char)(0x80 | (c & 0x3f));
	else
		b[n++] = (char)(0xf0 | c >> 18), b[n++] = (char)(0x80 | ((c >> 12) & 0x3f)),
		b[n++] = (char)(0x80 | ((c >> 6) & 0x3f)), b[n++] = (char)(0x80 | (c & 0x3f));
	return n;
}

void cl_key(struct app *a, const struct key *k)
{
	char b[16];
	size_t n;

	if (!active)
		return;
	if (k->code == K_ESC && !k->mods) {
		if (cl_kind == 'i')
			return; /* the kernel waits for an answer: Enter or C-c */
		cl_cancel(a);
		return;
	}
	if (k->code == 'c' && k->mods == M_CTRL) {
		if (cl_kind == 'i') {
			cl_cancel(a);
			app_kernel_interrupt(a);
		} else {
			cl_cancel(a);
		}
		return;
	}
	if (k->code == K_BACKSPACE && cl_kind != 'i' && rl_end == 0) {
		cl_cancel(a);
		return;
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
	a->need_draw = 1;
}

/* ---- the commands ---- */

static void run_cmd(struct app *a, const char *arg)
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
	} else if (!strcmp(cmd, "w") || !strcmp(cmd, "w!")) {
		app_save(a, arg[0] ? arg : NULL, cmd[1] == '!');
	} else if (!strcmp(cmd, "wq") || !strcmp(cmd, "x")) {
		if (app_save(a, arg[0] ? arg : NULL, 0) == 0)
			app_quit(a, 1);
	} else if (!strcmp(cmd, "q")) {
		app_quit(a, 0);
		if (!a->quit && a->mode == MODE_ASK) {
			a->mode = MODE_COMMAND;
			app_msg(a, 1, "unsaved changes: :w saves, :q! quits without saving");
		}
	} else if (!strcmp(cmd, "q!")) {
		app_quit(a, 1);
	} else if (!strcmp(cmd, "e") || !strcmp(cmd, "e!")) {
		if (!arg[0])
			app_msg(a, 1, ":e FILE.ipynb");
		else
			app_load(a, arg, cmd[1] == '!');
	} else if (!strcmp(cmd, "kernel")) {
		if (!arg[0])
			app_msg(a, 0, "kernel: %s (:kernel NAME switches)", a->kernel_name);
		else if (app_kernel_start(a, arg) == 0)
			app_msg(a, 0, "starting kernel %s", arg);
	} else if (!strcmp(cmd, "restart")) {
		app_kernel_restart(a);
	} else if (!strcmp(cmd, "interrupt")) {
		app_kernel_interrupt(a);
	} else if (!strcmp(cmd, "run")) {
		run_cmd(a, arg);
	} else if (!strcmp(cmd, "clear")) {
		for (size_t i = 0; i < nb_doc_ncells(a->doc); i++) {
			struct nb_cell *c = nb_doc_cell(a->doc, i);
			if (nb_cell_type(c) == NB_CODE && json_array_size(nb_cell_outputs(c)))
				nb_out_clear_cell(a->out, nb_cell_id(c));
		}
		app_invalidate_all(a);
		app_msg(a, 0, "outputs cleared");
	} else if (!strcmp(cmd, "noh") || !strcmp(cmd, "nohlsearch")) {
		a->search[0] = 0; /* n/N have nothing to find until the next / */
		a->need_draw = 1;
	} else if (!strcmp(cmd, "theme")) {
		if (!arg[0])
			app_msg(a, 0, "theme %s", a->theme.name);
		else
			app_set_theme(a, arg);
	} else if (!strcmp(cmd, "set")) {
		char key[64] = "", err[256] = "";
		const char *v = arg;

		sscanf(arg, "%63s", key);
		v += strlen(key);
		while (*v == ' ' || *v == '=')
			v++;
		config_vim_alias(key, sizeof key, &v);
		if (!key[0] || !*v)
			app_msg(a, 1, ":set OPTION VALUE");
		else if (config_set(&a->cfg, key, v, err, sizeof err) < 0)
			app_msg(a, 1, "%s", err);
		else {
			if (!strcmp(key, "theme"))
				app_set_theme(a, a->cfg.theme);
			a->attribution = a->cfg.attribution_view;
			if (!strcmp(key, "output_limit"))
				nb_out_set_limit(a->out, a->cfg.output_limit);
			if (!strcmp(key, "save_attribution"))
				nb_out_set_save_attribution(a->out, a->cfg.save_attribution);
			if (!strcmp(key, "mouse"))
				view_raw(a->cfg.mouse ? "\033[?1000h\033[?1006h"
						      : "\033[?1000l\033[?1006l");
			app_invalidate_all(a);
			app_msg(a, 0, "%s = %s", key, v);
		}
	} else if (!strcmp(cmd, "help")) {
		act_run(a, "help");
	} else if (!strcmp(cmd, "threads")) {
		act_run(a, "threads");
	} else if (!strcmp(cmd, "misrouted")) {
		act_run(a, "misrouted");
	} else if (!strcmp(cmd, "attribution")) {
		act_run(a, "attribution");
	} else if (!strcmp(cmd, "routing")) {
		tp_routing(a, arg);
	} else if (!strcmp(cmd, "route")) {
		tp_route(a, arg);
	} else {
		char *safe = st_plain(cmd, strlen(cmd), NULL);
		app_msg(a, 1, ":%s is not a command (:help lists them)", safe ? safe : "?");
		free(safe);
		return -1;
	}
	return 0;
}
