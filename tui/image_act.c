// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's image actions: "image" (key e) writes the focused cell's image (its
 * last image/png, image/jpeg or image/gif output) to a new file in $TMPDIR (else /tmp) and shows the path;
 * with $BOBBIN_IMAGE_VIEWER set, the screen is handed to that command with the path as its
 * argument (like jupyter console's image_handler) and comes back when it exits. The pager (O)
 * shows images as tall as the screen (app_pager_mime).
 */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/gfx.h"
#include "tui/image.h"

void app_mime_opts(struct app *a, struct mime_opts *mo, int pager)
{
	*mo = (struct mime_opts){.images = a->cfg.images, .depth = a->depth, .ascii = !a->utf8,
				 .image_rows = a->cfg.image_rows};
	if (pager) /* as tall as the screen */
		mo->image_rows = a->rows > 6 ? a->rows - 4 : 2;
	gfx_cell(&mo->cell_w, &mo->cell_h);
}

/* The data of the cell's last image output and its type, or NULL. */
static const char *last_image(json_t *outs, const char **type, size_t *len)
{
	const char *found = NULL;
	size_t k;
	json_t *o;

	json_array_foreach(outs, k, o)
	{
		json_t *d = json_object_get(o, "data");

		for (int i = 0; i < 3; i++) {
			const char *m = i == 2 ? "image/gif" : i ? "image/jpeg" : "image/png";
			json_t *v = json_object_get(d, m);

			if (json_is_string(v)) {
				found = json_string_value(v);
				*len = json_string_length(v);
				*type = m;
			}
		}
	}
	return found;
}

static int run_viewer(const char *viewer, const char *path)
{
	pid_t pid;
	int st = 0;

	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "$BOBBIN_IMAGE_VIEWER \"$1\"", "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	(void)viewer;
	return pid < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void act_image(struct app *a)
{
	struct nb_cell *c = nb_doc_cell(a->doc, a->cur);
	const char *type = NULL, *b64, *dir = getenv("TMPDIR"), *viewer = getenv("BOBBIN_IMAGE_VIEWER");
	unsigned char *bytes;
	size_t len = 0, n, done = 0;
	char path[4096];
	int fd, rc;

	if (!c || nb_cell_type(c) != NB_CODE ||
	    !(b64 = last_image(nb_cell_outputs(c), &type, &len))) {
		app_msg(a, 0, "this cell has no PNG, JPEG or GIF output");
		return;
	}
	if (img_b64(b64, len, &bytes, &n) < 0) {
		app_msg(a, 1, "%s of cell %zu: invalid base64", type, a->cur + 1);
		return;
	}
	snprintf(path, sizeof path, "%s/bobbin-image-XXXXXX.%s", dir && *dir == '/' ? dir : "/tmp",
		 !strcmp(type, "image/png") ? "png" : !strcmp(type, "image/gif") ? "gif" : "jpg");
	if ((fd = mkstemps(path, 4)) < 0) {
		app_msg(a, 1, "%s: %s", path, strerror(errno));
		free(bytes);
		return;
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, bytes + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
		done = off;
	}
	rc = done == n;
	rc &= close(fd) == 0;
	free(bytes);
	if (!rc) {
		app_msg(a, 1, "%s: %s", path, strerror(errno));
		unlink(path);
		return;
	}
	if (!viewer || !*viewer) {
		app_msg(a, 0, "image saved to %s ($BOBBIN_IMAGE_VIEWER opens it)", path);
		return;
	}
	rc = run_viewer(viewer, path);
	a->need_draw = 1;
	if (rc)
		app_msg(a, 1, "image %s: $BOBBIN_IMAGE_VIEWER exited %d", path, rc);
	else
		app_msg(a, 0, "image %s shown by $BOBBIN_IMAGE_VIEWER", path);
}
