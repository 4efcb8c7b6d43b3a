// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Kernelspec discovery in jupyter_client's order: every entry of JUPYTER_PATH, the Jupyter data
 * dir, then /usr/local/share/jupyter and /usr/share/jupyter, each with kernels/ appended; the
 * first directory holding a given (lower-cased) name wins.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernelclient/kc_private.h"

int kcp_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof **v);

	if (!nv)
		return -1;
	*v = nv;
	nv[(*n)++] = strdup(s);
	nv[*n] = NULL;
	return 0;
}

char **kc_kernelspec_dirs(void)
{
	char **v = NULL, buf[PATH_MAX];
	size_t n = 0;
	const char *jp = getenv("JUPYTER_PATH");

	if (jp && *jp) {
		char *copy = strdup(jp), *save = NULL;

		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
			if (*p) {
				snprintf(buf, sizeof buf, "%s/kernels", p);
				kcp_strv_push(&v, &n, buf);
			}
		free(copy);
	}
	if (kc_path_data_dir(buf, sizeof buf - 8) == 0) {
		strcat(buf, "/kernels");
		kcp_strv_push(&v, &n, buf);
	}
	kcp_strv_push(&v, &n, "/usr/local/share/jupyter/kernels");
	kcp_strv_push(&v, &n, "/usr/share/jupyter/kernels");
	return v;
}

void kc_kernelspec_free(struct kc_kernelspec *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->dir);
	free(s->display_name);
	free(s->language);
	free(s->interrupt_mode);
	for (char **a = s->argv; a && *a; a++)
		free(*a);
	free(s->argv);
	json_decref(s->env);
	json_decref(s->metadata);
	free(s);
}

void kc_kernelspec_list_free(struct kc_kernelspec **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kc_kernelspec_free(list[i]);
	free(list);
}

struct kc_kernelspec *kc_kernelspec_load(const char *dir, const char *name, struct kc_error *err)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *j;
	struct kc_kernelspec *s;
	int fd;

	snprintf(path, sizeof path, "%s/kernel.json", dir);
	if ((fd = kcp_open_regular(path, err)) < 0)
		return NULL;
	j = json_loadfd(fd, 0, &je);
	close(fd);
	if (!j) {
		kcp_fail(err, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
		return NULL;
	}
	s = kcp_kernelspec_from_json(j, path, dir, name, err);
	json_decref(j);
	return s;
}

struct kc_kernelspec *kcp_kernelspec_from_json(json_t *j, const char *path, const char *dir,
					       const char *name, struct kc_error *err)
{
	json_t *argv = json_object_get(j, "argv"), *v;
	struct kc_kernelspec *s;
	size_t i;

	if (!json_is_object(j) || !json_is_array(argv) || json_array_size(argv) == 0) {
		kcp_fail(err, "%s: \"argv\" must be a non-empty list of strings", path);
		return NULL;
	}
	s = calloc(1, sizeof *s);
	s->argv = calloc(json_array_size(argv) + 1, sizeof *s->argv);
	json_array_foreach(argv, i, v) {
		if (!json_is_string(v)) {
			kcp_fail(err, "%s: argv[%zu] is not a string", path, i);
			kc_kernelspec_free(s);
			return NULL;
		}
		s->argv[i] = strdup(json_string_value(v));
	}
	s->name = strdup(name);
	for (char *p = s->name; *p; p++)
		*p = tolower((unsigned char)*p);
	s->dir = strdup(dir);
	v = json_object_get(j, "display_name");
	s->display_name = strdup(json_is_string(v) ? json_string_value(v) : name);
	v = json_object_get(j, "language");
	s->language = strdup(json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(j, "interrupt_mode");
	s->interrupt_mode = strdup(json_is_string(v) ? json_string_value(v) : "signal");
	if (strcmp(s->interrupt_mode, "signal") && strcmp(s->interrupt_mode, "message")) {
		kcp_fail(err, "%s: interrupt_mode must be \"signal\" or \"message\", not \"%s\"",
			 path, s->interrupt_mode);
		kc_kernelspec_free(s);
		return NULL;
	}
	if (json_is_object(v = json_object_get(j, "env")))
		s->env = json_incref(v);
	if (json_is_object(v = json_object_get(j, "metadata")))
		s->metadata = json_incref(v);
	return s;
}

static int is_spec_dir(const char *kdir, const char *name, char *out, size_t size)
{
	struct stat st;

	snprintf(out, size, "%s/%s/kernel.json", kdir, name);
	if (stat(out, &st) != 0)
		return 0;
	snprintf(out, size, "%s/%s", kdir, name);
	return 1;
}

struct kc_kernelspec *kc_kernelspec_find(const char *name, struct kc_error *err)
{
	char **dirs = kc_kernelspec_dirs(), path[PATH_MAX];
	struct kc_kernelspec *s = NULL;
	int found = 0;

	for (char **d = dirs; d && *d && !found; d++) {
		DIR *dd = opendir(*d);
		struct dirent *e;

		if (!dd)
			continue;
		while (!found && (e = readdir(dd)))
			if (e->d_name[0] != '.' && !strcasecmp(e->d_name, name) &&
			    is_spec_dir(*d, e->d_name, path, sizeof path)) {
				found = 1;
				s = kc_kernelspec_load(path, e->d_name, err);
			}
		closedir(dd);
	}
	if (!found)
		kcp_fail(err, "no kernel named \"%s\" (see 'bobbin kernels')", name);
	for (char **d = dirs; d && *d; d++)
		free(*d);
	free(dirs);
	return s;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct kc_kernelspec *const *)a)->name,
		      (*(struct kc_kernelspec *const *)b)->name);
}

struct kc_kernelspec **kc_kernelspec_list(size_t *n, char **bad)
{
	char **dirs = kc_kernelspec_dirs(), path[PATH_MAX];
	struct kc_kernelspec **list = NULL;
	char *msgs = NULL;
	size_t mlen = 0;

	*n = 0;
	for (char **d = dirs; d && *d; d++) {
		DIR *dd = opendir(*d);
		struct dirent *e;

		if (!dd)
			continue;
		while ((e = readdir(dd))) {
			struct kc_error err = {0};
			struct kc_kernelspec *s;
			int dup = 0;

			if (e->d_name[0] == '.' || !is_spec_dir(*d, e->d_name, path, sizeof path))
				continue;
			for (size_t i = 0; i < *n; i++)
				dup |= !strcasecmp(list[i]->name, e->d_name);
			if (dup)
				continue;
			if (!(s = kc_kernelspec_load(path, e->d_name, &err))) {
				size_t l = strlen(err.text);
				char *nm = realloc(msgs, mlen + l + 2);

				if (nm) {
					msgs = nm;
					memcpy(msgs + mlen, err.text, l);
					mlen += l;
					msgs[mlen++] = '\n';
					msgs[mlen] = 0;
				}
				continue;
			}
			list = realloc(list, (*n + 1) * sizeof *list);
			list[(*n)++] = s;
		}
		closedir(dd);
	}
	for (char **d = dirs; d && *d; d++)
		free(*d);
	free(dirs);
	if (*n)
		qsort(list, *n, sizeof *list, by_name);
	if (bad)
		*bad = msgs;
	else
		free(msgs);
	return list;
}
