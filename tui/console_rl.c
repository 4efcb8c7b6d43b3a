// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin console` and GNU readline, through its callback interface so that the one poll loop
 * keeps serving the kernel while a line is edited: prompts (In [n], the continuation prompt with
 * the kernel's indent, input() prompts, hidden getpass() entry), history kept per kernel language
 * under $XDG_DATA_HOME/bobbin/ and appended after every line so sessions share it, completion by
 * complete_request (a nested wait of at most 2 s for the reply; the kernel's span replaces the
 * right part of the line), and hiding/restoring the edited line around output printed above it.
 * readline is global state: there is one console per process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "tui/console.h"
#include "tui/safetext.h"
#include "tui/tout.h"

static struct console *con; /* borrowed: the one console, for readline's callbacks */

/* ---- history ---- */

static void mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		mkdir(path, 0700);
		*s = '/';
	}
}

static void history_path(struct console *c, const char *language)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char lang[64];
	size_t j = 0;

	for (const char *s = language && *language ? language : "unknown"; *s && j < 60; s++)
		lang[j++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
					    (*s >= '0' && *s <= '9') || *s == '-' || *s == '+'
				    ? *s
				    : '_';
	lang[j] = 0;
	if (xdg && *xdg == '/')
		snprintf(c->histfile, sizeof c->histfile, "%s/bobbin/history-%s", xdg, lang);
	else if (home && *home)
		snprintf(c->histfile, sizeof c->histfile, "%s/.local/share/bobbin/history-%s", home,
			 lang);
	else
		c->histfile[0] = 0;
}

void con_rl_history_add(struct console *c, const char *line)
{
	HIST_ENTRY *last;

	if (!*line || strspn(line, " \t") == strlen(line))
		return;
	last = history_length ? history_get(history_base + history_length - 1) : NULL;
	if (last && !strcmp(last->line, line))
		return;
	add_history(line);
	if (c->hist_ok) {
		/* Appended at once, so another session started later sees it. */
		FILE *f = fopen(c->histfile, "a");

		if (f) {
			fclose(f);
			append_history(1, c->histfile);
		}
	}
}

/* ---- completion ---- */

struct comp_wait {
	int done;
	json_t *reply; /* owned copy of the content */
};

static void on_complete(struct kc_client *kc, const char *id, enum kc_status st,
			const struct kc_msg *reply, void *ud)
{
	struct comp_wait *w = ud;

	if (st == KC_OK && reply)
		w->reply = json_deep_copy(reply->content);
	w->done = 1;
}

/* Code points in the first n bytes of s (the protocol counts cursor positions in code points). */
static long cp_count(const char *s, size_t n)
{
	long k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

static size_t cp_offset(const char *s, long cps)
{
	size_t i = 0;

	for (long k = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (k == cps)
				return i;
			k++;
		}
	}
	return i;
}

static char **complete(const char *text, int start, int end)
{
	struct console *c = con;
	struct comp_wait *w = calloc(1, sizeof *w);
	struct con_buf code = {0};
	size_t prefix, cs, ce, nm = 0, ncand, lcd;
	json_t *matches;
	char **out;
	const char *line = rl_line_buffer;

	rl_attempted_completion_over = 1;
	rl_completion_append_character = 0; /* readline resets it before every completion */
	if (!w)
		return NULL;
	/* The block typed so far is context for the line being completed. */
	if (c->block.len)
		con_buf_add(&code, c->block.p, c->block.len);
	prefix = code.len;
	con_buf_add(&code, line, (size_t)rl_end);
	if (!code.p || !kc_client_complete(c->kc, code.p, cp_count(code.p, prefix + (size_t)rl_point),
					   on_complete, w)) {
		con_buf_free(&code);
		free(w);
		return NULL;
	}
	con_wait(c, &w->done, 2000);
	if (!w->done) {
		/* The callback still fires later (timeout or reply): leave it the memory. */
		con_buf_free(&code);
		return NULL;
	}
	matches = json_object_get(w->reply, "matches");
	cs = cp_offset(code.p, (long)json_integer_value(json_object_get(w->reply, "cursor_start")));
	ce = cp_offset(code.p, (long)json_integer_value(json_object_get(w->reply, "cursor_end")));
	ncand = json_array_size(matches);
	if (!ncand || cs < prefix || ce < cs || ce > code.len || ce != prefix + (size_t)end) {
		json_decref(w->reply);
		con_buf_free(&code);
		free(w);
		return NULL;
	}
	cs -= prefix;
	out = calloc(ncand + 2, sizeof *out);
	for (size_t i = 0; out && i < ncand; i++) {
		const char *mt = json_string_value(json_array_get(matches, i));
		char *safe = mt ? st_plain(mt, strlen(mt), NULL) : NULL;
		char *m = NULL;

		if (!safe)
			continue;
		/* readline replaces [start, end); the kernel's span is [cs, end). */
		if (cs <= (size_t)start) {
			size_t skip = (size_t)start - cs;

			if (!strncmp(safe, line + cs, skip))
				m = strdup(safe + skip);
		} else if (asprintf(&m, "%.*s%s", (int)(cs - (size_t)start), line + start, safe) <
			   0) {
			m = NULL;
		}
		free(safe);
		if (m)
			out[1 + nm++] = m;
	}
	json_decref(w->reply);
	con_buf_free(&code);
	free(w);
	if (!out || !nm) {
		free(out);
		return NULL;
	}
	/* out[0] is what replaces the text: the longest common prefix of the candidates. */
	lcd = strlen(out[1]);
	for (size_t i = 2; i <= nm; i++) {
		size_t k = 0;

		while (k < lcd && out[i][k] == out[1][k])
			k++;
		lcd = k;
	}
	/* Never cut inside a UTF-8 sequence. */
	while (lcd && ((unsigned char)out[1][lcd] & 0xc0) == 0x80)
		lcd--;
	if (nm == 1) {
		out[0] = out[1];
		out[1] = NULL;
	} else {
		out[0] = strndup(out[1], lcd);
	}
	(void)text;
	return out;
}

/* ---- prompts and line handlers ---- */

static void on_line(char *line)
{
	struct console *c = con;

	if (c->mode == CON_INPUT)
		con_line_input(c, line);
	else
		con_line_code(c, line);
}

static int insert_indent(void)
{
	if (con && con->mode == CON_PROMPT && con->indent[0])
		rl_insert_text(con->indent);
	return 0;
}

void con_rl_submit(struct console *c, const char *text, size_t len)
{
	char *line = strndup(text, len);

	if (!line || !c->rl_installed) {
		free(line);
		return;
	}
	/* shown after the prompt as if typed, then accepted as Enter would */
	rl_replace_line(line, 0);
	rl_point = rl_end;
	rl_redisplay();
	tout_lit(rl_outstream, "\n");
	fflush(rl_outstream);
	c->at_bol = 1;
	on_line(line);
}

/* Password entry shows the prompt only. */
static void hidden_redisplay(void)
{
	tout_lit(rl_outstream, "\r");
	if (rl_display_prompt)
		tout_text(rl_outstream, rl_display_prompt, strlen(rl_display_prompt), 0);
	tout_lit(rl_outstream, "\033[K");
	fflush(rl_outstream);
}

static void install(struct console *c, const char *prompt)
{
	con_newline_if_needed(c);
	if (c->rl_installed)
		rl_callback_handler_remove();
	rl_callback_handler_install(prompt, on_line);
	c->rl_installed = 1;
	c->at_bol = 1;
}

void con_rl_prompt_code(struct console *c, int cont)
{
	char prompt[160];
	char num[32];
	int w;

	snprintf(num, sizeof num, "%ld", c->next_count);
	w = (int)strlen(num);
	c->mode = CON_PROMPT;
	c->rl_hidden = 0;
	rl_redisplay_function = rl_redisplay;
	if (!cont)
		c->indent[0] = 0;
	{
		/* readline must not count the SGR bytes: \001 … \002 around them */
		char on[ST_SGR_MAX], off[ST_SGR_MAX];
		const char *a = c->color ? "\001" : "", *b = c->color ? "\002" : "";

		con_sgr(c, THEME_PROMPT_IN, on);
		con_sgr(c, -1, off);
		if (cont)
			snprintf(prompt, sizeof prompt, "%s%s%s%*s...:%s%s%s ", a, on, b, w + 2, "",
				 a, off, b);
		else
			snprintf(prompt, sizeof prompt, "%s%s%sIn [%s]:%s%s%s ", a, on, b, num, a,
				 off, b);
	}
	install(c, prompt);
}

void con_rl_prompt_input(struct console *c, const char *prompt, int password)
{
	char *safe = st_plain(prompt, strlen(prompt), NULL);

	c->mode = CON_INPUT;
	c->indent[0] = 0;
	c->rl_hidden = password;
	rl_redisplay_function = password ? hidden_redisplay : rl_redisplay;
	install(c, safe ? safe : "");
	free(safe);
}

void con_rl_remove(struct console *c)
{
	if (!c->rl_installed)
		return;
	rl_callback_handler_remove();
	rl_redisplay_function = rl_redisplay;
	c->rl_installed = 0;
	c->rl_hidden = 0;
}

void con_rl_read(struct console *c)
{
	c->defer = 1;
	rl_callback_read_char();
	c->defer = 0;
	con_flush_deferred(c);
}

void con_rl_clear_line(struct console *c)
{
	if (!c->rl_installed)
		return;
	/* Leaves an incremental search or a pending key sequence, shows ^C, starts afresh. */
	rl_callback_sigcleanup();
	rl_free_line_state();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	tout_lit(rl_outstream, "^C\n");
	fflush(rl_outstream);
	c->block.len = 0;
	c->indent[0] = 0;
	if (c->mode == CON_PROMPT) {
		con_rl_prompt_code(c, 0);
	} else {
		rl_on_new_line();
		rl_redisplay();
	}
}

void con_rl_resize(struct console *c)
{
	if (c->rl_installed)
		rl_resize_terminal();
}

/* ---- output above the edited line ---- */

static char *saved_line;
static int saved_point;

void con_rl_hide(struct console *c)
{
	if (!c->rl_installed || saved_line)
		return;
	saved_point = rl_point;
	saved_line = rl_copy_text(0, rl_end);
	rl_save_prompt();
	rl_replace_line("", 0);
	if (c->rl_hidden)
		tout_lit(rl_outstream, "\r\033[K");
	else
		rl_redisplay();
	fflush(rl_outstream);
}

void con_rl_show(struct console *c)
{
	if (!c->rl_installed || !saved_line)
		return;
	con_newline_if_needed(c);
	rl_restore_prompt();
	rl_replace_line(saved_line, 0);
	rl_point = saved_point;
	free(saved_line);
	saved_line = NULL;
	rl_on_new_line();
	rl_forced_update_display();
}

/* ---- set-up ---- */

void con_rl_init(struct console *c, const char *language)
{
	con = c;
	rl_readline_name = "bobbin";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_attempted_completion_function = complete;
	rl_completion_append_character = 0;
	rl_pre_input_hook = insert_indent;
	/* Break at what separates names in most languages, so readline's word is at most the
	 * kernel's span; the part before it is checked against the candidates. */
	rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{([,+-*/%^~!:.)]}";
	using_history();
	history_path(c, language);
	if (c->histfile[0]) {
		char dir[sizeof c->histfile];

		snprintf(dir, sizeof dir, "%s", c->histfile);
		mkdirs(dir);
		c->hist_ok = 1;
		read_history(c->histfile);
	}
}

void con_rl_finish(struct console *c)
{
	con_rl_remove(c);
	if (c->hist_ok)
		history_truncate_file(c->histfile, 10000);
	clear_history();
	rl_callback_sigcleanup();
	con = NULL;
}
