// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin [NOTEBOOK.ipynb]`: the notebook screen. This file owns start-up (options, the
 * notebook, the kernel — started without blocking so the screen shows "starting"), the one
 * zmq_poll loop over the kernel's sockets, the terminal, the signal pipe and the session's
 * sockets (session.h: none of the terminal while detached), and the services
 * the modes share (messages, questions, editing the focused cell, the theme). The kernel and
 * cell execution are in app_kernel.c, the layout cache and scrolling in app_layout.c, saving,
 * opening and quitting in app_file.c.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/cmd.h"
#include "tui/gfx.h"
#include "tui/session.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

/* ---- messages and questions ---- */

void app_msg(struct app *a, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_err = err;
	a->need_draw = 1;
}

void app_ask(struct app *a, void (*cb)(struct app *a, int key), const char *fmt, ...)
{
	char q[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	ask_open(a, cb, q);
}

/* ---- editing ---- */

void app_commit_edit(struct app *a)
{
	struct nb_cell *c;
	const char *t;

	if (!a->ed || !(c = nb_doc_find(a->doc, a->edit_id)))
		return;
	t = editor_text(a->ed, NULL);
	if (strcmp(t, nb_cell_source(c)))
		nb_cell_set_source(c, t);
}

void app_edit_start(struct app *a)
{
	struct nb_cell *c = nb_doc_cell(a->doc, a->cur);
	const char *s;

	if (!c)
		return;
	s = nb_cell_source(c);
	if (!a->ed && (a->ed = ec_take(a, nb_cell_id(c), s))) {
		/* the cell's editor from before, with its undo and cursor */
	} else {
		if (!a->ed && !(a->ed = editor_new()))
			return;
		editor_set_text(a->ed, s, strlen(s));
		editor_bottom(a->ed);
	}
	snprintf(a->edit_id, sizeof a->edit_id, "%s", nb_cell_id(c));
	app_invalidate(a, a->cur);
	app_scroll_into_view(a);
}

void app_edit_stop(struct app *a)
{
	struct nb_cell *c;

	if (!a->ed)
		return;
	app_commit_edit(a);
	c = nb_doc_find(a->doc, a->edit_id);
	ec_keep(a, a->edit_id, a->ed);
	a->ed = NULL;
	a->edit_id[0] = 0;
	if (mode_top(a) == &mode_popup)
		mode_pop(a);
	if (c)
		app_invalidate(a, (size_t)nb_doc_index(a->doc, c));
}

void app_set_theme(struct app *a, const char *name)
{
	struct theme_dirs dirs;
	struct theme_error err = {0};
	char exe[4096];
	struct theme t;

	theme_dirs_from_env(&dirs, exe, sizeof exe);
	if (theme_open(name, &dirs, &t, &err) < 0) {
		app_msg(a, 1, "%s (using %s)", err.text, a->theme.name[0] ? a->theme.name : "default");
		if (!a->theme.name[0])
			theme_builtin("default", &a->theme);
		return;
	}
	a->theme = t;
	snprintf(a->cfg.theme, sizeof a->cfg.theme, "%s", name);
	view_apply_theme(a);
	app_invalidate_all(a);
	a->full_redraw = 1;
	app_msg(a, 0, "theme %s", a->theme.name);
}

/* ---- start-up and the loop ---- */

/* The notebook screen reads a large file a slice at a time after the first screen: this much at
 * first (the first screen's cells are in it), this much each pass of the loop after. */
#define LOAD_FIRST (4u << 20)
#define LOAD_SLICE (8u << 20)

static const char nb_usage[] =
	"usage: bobbin [OPTIONS] [NOTEBOOK.ipynb]\n"
	"\n"
	"The notebook screen (a new notebook when the file does not exist).\n"
	"  -k, --kernel NAME      start this kernelspec (default: the notebook's)\n"
	"  --existing[=FILE|ID]   attach to a running kernel\n"
	"  --ssh HOST             the kernel is on HOST (ssh; BOBBIN_SSH replaces the command)\n"
	"  --ssh-keep             with --ssh and -k: leave the kernel running there on quit\n"
	"  --server URL           the kernel is on a Jupyter Server (token: --token-file FILE,\n"
	"                         JUPYTER_TOKEN or a prompt; --ca-file FILE for https)\n"
	"  --server-keep          with --server and -k: leave the kernel running there on quit\n"
	"  --theme NAME|PATH      colour theme (default, light, solarized-dark, high-contrast, mono)\n"
	"  --mouse, --no-mouse    click to focus and wheel to scroll (off by default)\n"
	"  --recover              restore the recovery file without asking\n"
	"  --routing POLICY       kernel-wide thread routing: kernel, origin, current, auto\n"
	"  --route PATTERN=POLICY per-thread-name routing rule (repeatable)\n"
	"  --no-agent             do not install the routing agent\n"
	"Keys: h or ? in the notebook; man bobbin.\n";

static void cfg_warn(const char *msg, void *ud)
{
	tout_fmt(stderr, "bobbin: %s\n", msg);
}

static void recover_answer(struct app *a, int key)
{
	char rp[4200];

	rec_path(a->path, rp, sizeof rp);
	if (key == 'r' || key == 'R') {
		struct nb_error err = {0};
		struct nb_doc *d = nb_doc_load(rp, &err);

		if (!d) {
			app_msg(a, 1, "recovery file unreadable: %s", err.text);
			return;
		}
		nb_doc_set_dirty(d);
		app_doc_attach(a, d);
		app_msg(a, 0, "recovered from %s: :w saves it", rp);
	} else if (key == 'd' || key == 'D') {
		unlink(rp);
		app_msg(a, 0, "recovery file deleted");
	} else {
		app_msg(a, 0, "recovery file kept: %s", rp);
	}
}

static long loop_timeout(struct app *a, long long now)
{
	long t = 1000;

	if (keys_pending(a->keys))
		t = 30;
	if (nb_doc_loading(a->doc))
		t = 0;
	if (a->need_draw && sess_tty() >= 0) { /* nothing is drawn while detached */
		long d = (long)(a->last_draw_ms + 33 - now);
		if (d < t)
			t = d < 0 ? 0 : d;
	}
	if (a->kc) {
		long k = kc_client_next_timeout(a->kc);
		if (k >= 0 && k < t)
			t = k;
	}
	return t;
}

void app_hangup(struct app *a)
{
	app_commit_edit(a);
	if (nb_doc_dirty(a->doc))
		rec_write(a);
	a->quit = 2;
}

static void loop(struct app *a)
{
	int sfd = sigpipe_install();
	long long last_byte = 0;

	while (!a->quit) {
		zmq_pollitem_t items[KC_MAXPOLL + 4];
		int n = a->kc ? kc_client_pollitems(a->kc, items, KC_MAXPOLL) : 0, ns;
		long long now = sigpipe_now_ms();
		struct key k;
		int sig;

		/* the terminal: none while the session is detached (session_server.c) */
		items[n] = (zmq_pollitem_t){.fd = sess_tty(), .events = ZMQ_POLLIN};
		items[n + 1] = (zmq_pollitem_t){.fd = sfd, .events = ZMQ_POLLIN};
		ns = sess_pollitems(items + n + 2, 2);
		if (zmq_poll(items, n + 2 + ns, loop_timeout(a, now)) < 0 && errno != EINTR)
			break;
		now = sigpipe_now_ms();
		if (a->kc) {
			static struct kernel_badsig badsig;
			char why[128];

			kc_client_dispatch(a->kc, items, n);
			if (kernel_badsig_check(a->kc, &badsig, why, sizeof why))
				app_msg(a, 1, "%s", why);
		}
		if (items[n].fd >= 0 && (items[n].revents & (ZMQ_POLLIN | ZMQ_POLLERR))) {
			char buf[4096];
			ssize_t r = read(0, buf, sizeof buf);

			if (r > 0) {
				keys_feed(a->keys, buf, (size_t)r);
				last_byte = now;
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				sess_detach(a, 1); /* the terminal went away */
			}
		} else if (keys_pending(a->keys) && now - last_byte >= 30) {
			keys_timeout(a->keys);
		}
		/* a key acts on the whole notebook: the rest of a large file is read first */
		while (!a->quit && keys_next(a->keys, &k) && app_load_more(a, SIZE_MAX) == 0)
			if (act_key(a, &k) == MODE_REDRAW)
				a->need_draw = 1;
		while ((items[n + 1].revents & ZMQ_POLLIN) && (sig = sigpipe_read())) {
			if (sig == SIGWINCH && sess_tty() >= 0)
				view_resize(a);
			else if (sig == SIGHUP)
				sess_detach(a, 1);
			else if (sig == SIGTERM)
				app_hangup(a);
			else if (sig == SIGINT)
				app_kernel_interrupt(a);
		}
		sess_dispatch(a, items + n + 2, ns);
		if (!a->quit)
			app_load_more(a, LOAD_SLICE);
		if (a->quit)
			break;
		if (a->cfg.autosave_interval > 0 &&
		    now - a->last_autosave_ms >= a->cfg.autosave_interval * 1000LL) {
			a->last_autosave_ms = now;
			app_commit_edit(a);
			if (nb_doc_dirty(a->doc))
				rec_write(a);
		}
		sess_tick(a, now);
		if (a->nexec && now - a->last_tick_ms >= 1000) {
			a->last_tick_ms = now;
			a->need_draw = 1; /* the elapsed time */
		}
		if (mode_top(a)->tick && now - a->last_tick_ms >= 1000) {
			a->last_tick_ms = now;
			mode_tick(a);
		}
		if (a->need_draw && sess_tty() >= 0 && now - a->last_draw_ms >= 33) {
			a->last_draw_ms = now;
			view_draw(a);
		}
	}
}

int cmd_notebook(int argc, char **argv)
{
	struct app app, *a = &app;
	const char *file = NULL, *theme = NULL;
	char why[300] = "";
	int is_new = 0, mouse = -1, rc = 0;
	long long rec_mtime;

	memset(a, 0, sizeof *a);
	a->modes[0] = (struct mode_entry){&mode_cells, NULL};
	a->nmodes = 1;
	config_defaults(&a->cfg);
	for (int i = 1; i < argc; i++) {
		int r = kernel_opts_parse(&a->kopts, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "--theme") && i + 1 < argc)
			theme = argv[++i];
		else if (!strncmp(argv[i], "--theme=", 8))
			theme = argv[i] + 8;
		else if (!strcmp(argv[i], "--mouse"))
			mouse = 1;
		else if (!strcmp(argv[i], "--no-mouse"))
			mouse = 0;
		else if (!strcmp(argv[i], "--recover"))
			a->recover_flag = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			tout_fmt(stdout, "%s", nb_usage);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			tout_fmt(stderr, "bobbin: unknown option %s\n%s", argv[i], nb_usage);
			return 2;
		} else if (!file)
			file = argv[i];
		else {
			tout_fmt(stderr, "bobbin: one notebook at a time\n");
			return 2;
		}
	}
	if (!isatty(0) || !isatty(1)) {
		tout_fmt(stderr, "bobbin: the notebook screen needs a terminal (try bobbin run)\n");
		return 2;
	}
	/* a live session of this notebook gets this terminal; else this process forks, and the
	 * child runs on as the session (session.h) */
	if (sess_begin(file, &rc))
		return rc;
	setlocale(LC_ALL, "");
	a->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	config_load(&a->cfg, NULL, cfg_warn, NULL);
	if (mouse >= 0)
		a->cfg.mouse = mouse;
	a->attribution = a->cfg.attribution_view;
	a->kopts.quiet = 1;
	if (!a->cfg.agent)
		a->kopts.no_agent = 1;

	struct nb_doc *d = app_doc_open(file, LOAD_FIRST, &is_new, why, sizeof why);
	if (!d) {
		tout_fmt(stderr, "bobbin: %s\n", why);
		return 1;
	}
	if (file)
		snprintf(a->path, sizeof a->path, "%s", file);
	a->keys = keys_new();
	if (a->keys)
		keys_on_reply(a->keys, gfx_on_reply, a); /* the image protocol's answers (gfx.h) */
	app_doc_attach(a, d);
	if (a->recover_flag && file && rec_exists(file, &rec_mtime))
		recover_answer(a, 'r');

	/* the theme: a bad file is reported and the default used */
	{
		struct theme_dirs dirs;
		struct theme_error err = {0};
		char exe[4096];

		theme_dirs_from_env(&dirs, exe, sizeof exe);
		if (theme_open(theme ? theme : a->cfg.theme, &dirs, &a->theme, &err) < 0) {
			snprintf(why, sizeof why, "using the default theme: %s", err.text);
			theme_builtin("default", &a->theme);
		}
	}
	if (kernel_remote(&a->kopts)) { /* ssh or the token may prompt: before the screen */
		struct kc_error err = {0};
		const char *kn = a->kopts.kernel ? a->kopts.kernel : json_string_value(json_object_get(
			json_object_get(nb_doc_metadata(a->doc), "kernelspec"), "name"));

		if (kernel_ssh_preopen(&a->kopts, kn ? kn : "python3", &err) < 0) {
			tout_fmt(stderr, "bobbin: %s\n", err.text);
			nb_out_free(a->out);
			nb_doc_free(a->doc);
			return 2;
		}
	}
	sess_setsid();
	if (view_init(a) < 0) {
		tout_fmt(stderr, "bobbin: cannot use this terminal (TERM=%s)\n",
		         getenv("TERM") ? getenv("TERM") : "");
		nb_out_free(a->out);
		nb_doc_free(a->doc);
		return 1;
	}
	cl_init(a);
	if (why[0])
		app_msg(a, 1, "%s", why);
	else
		app_msg(a, 0, "%s%s — h for help", file ? file : "new notebook",
			is_new && file ? " (new file)" : "");
	hb_load_note(a);

	/* the notebook first: starting or attaching a kernel takes longer than drawing it, and a
	 * large notebook's kernelspec is known only once the whole file is read (load_more) */
	a->kernel_pending = 1;
	view_draw(a);
	if (!nb_doc_loading(a->doc))
		app_kernel_for_doc(a);
	if (!a->recover_flag && file && rec_exists(file, &rec_mtime)) {
		char rp[4200];
		rec_path(file, rp, sizeof rp);
		app_ask(a, recover_answer,
			"A recovery file %s exists: (r)ecover it, (d)elete it, (i)gnore", rp);
	}
	a->last_autosave_ms = sigpipe_now_ms();
	view_draw(a);
	loop(a);
	mode_reset(a); /* frees what the modes hold */
	cl_end(a);
	view_end(a);
	if (a->quit == 2)
		rc = 1;
	if (a->quit == 3) {
		tout_fmt(stderr, "bobbin: %s\n", a->load_err);
		rc = 1;
	}
	if (a->kc)
		kc_client_free(a->kc, 0);
	json_decref(a->pending_ks);
	for (size_t i = 0; i < a->ncache; i++)
		rd_layout_clear(&a->cache[i].lay);
	free(a->cache);
	co_forget(a);
	for (size_t i = 0; i < a->nunfolded; i++)
		free(a->unfolded[i]);
	free(a->unfolded);
	free(a->execs);
	editor_free(a->ed);
	keys_free(a->keys);
	nb_out_free(a->out);
	nb_doc_free(a->doc);
	sess_end(rc);
	return rc;
}
