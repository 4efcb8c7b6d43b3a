// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The recovery file: while a notebook has unsaved changes, its would-be saved bytes are kept in
 * `.NAME.ipynb.recovery` beside it (never over it), refreshed every autosave_interval seconds
 * (at most 5 while the session is detached: session_server.c) and at once on detach, hangup and
 * SIGTERM, so even a machine crash loses little. Opening the notebook
 * again offers to restore it (`--recover` does without asking); a clean save or quit removes it.
 * Written through a new file of an unpredictable name created exclusively, then renamed, so a
 * directory others can write to cannot make it overwrite another file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/app.h"

void rec_path(const char *nbpath, char *buf, size_t size)
{
	const char *p = nbpath && *nbpath ? nbpath : "untitled.ipynb";
	const char *slash = strrchr(p, '/');

	if (slash)
		snprintf(buf, size, "%.*s/.%s.recovery", (int)(slash - p), p, slash + 1);
	else
		snprintf(buf, size, ".%s.recovery", p);
}

int rec_exists(const char *nbpath, long long *mtime)
{
	char p[4200];
	struct stat st;

	rec_path(nbpath, p, sizeof p);
	/* Only a file of the user's own, not a symlink somebody planted to show other content. */
	if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return 0;
	if (mtime)
		*mtime = (long long)st.st_mtime;
	return 1;
}

int rec_write(struct app *a)
{
	char p[4200], tmp[4300];
	size_t len, off = 0;
	char *bytes;
	int fd;

	nb_out_sync(a->out);
	if (!(bytes = nb_doc_serialize(a->doc, &len)))
		return -1;
	rec_path(a->path, p, sizeof p);
	/* The directory may be writable by others: the temporary file gets an unpredictable name
	 * and is created exclusively (mkostemp: O_CREAT|O_EXCL, 0600), so a symlink or file planted
	 * at any name makes this fail instead of writing through it; the rename then replaces
	 * whatever is at the recovery name itself (a planted symlink, never its target). */
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", p);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(bytes);
		app_msg(a, 1, "recovery file %s: cannot write", p);
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, bytes + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(bytes);
	if (off < len || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, p) < 0) {
		unlink(tmp);
		app_msg(a, 1, "recovery file %s: write failed", p);
		return -1;
	}
	return 0;
}

void rec_remove(struct app *a)
{
	char p[4200];

	rec_path(a->path, p, sizeof p);
	unlink(p);
}
