// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Jupyter paths and connection files: the data and runtime directories as jupyter_core computes
 * them, reading and writing connection files (0600, never following links), picking free loopback
 * ports and a random key for a new kernel, and resolving `--existing` the way jupyter console does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <openssl/rand.h>

#include "kernelclient/kc_private.h"

int kc_path_data_dir(char *buf, size_t size)
{
	const char *v;

	if ((v = getenv("JUPYTER_DATA_DIR")) && *v)
		return snprintf(buf, size, "%s", v) < (int)size ? 0 : -1;
	if ((v = getenv("XDG_DATA_HOME")) && *v)
		return snprintf(buf, size, "%s/jupyter", v) < (int)size ? 0 : -1;
	v = getenv("HOME");
	return snprintf(buf, size, "%s/.local/share/jupyter", v ? v : "/") < (int)size ? 0 : -1;
}

int kc_path_runtime_dir(char *buf, size_t size)
{
	const char *v;
	char data[PATH_MAX];

	if ((v = getenv("JUPYTER_RUNTIME_DIR")) && *v)
		return snprintf(buf, size, "%s", v) < (int)size ? 0 : -1;
	if (kc_path_data_dir(data, sizeof data) < 0)
		return -1;
	return snprintf(buf, size, "%s/runtime", data) < (int)size ? 0 : -1;
}

static int port_of(json_t *v)
{
	if (json_is_integer(v))
		return (int)json_integer_value(v);
	if (json_is_string(v))
		return atoi(json_string_value(v));
	return -1;
}

int kcp_open_regular(const char *path, struct kc_error *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below) */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return kcp_fail(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kcp_fail(err, "%s: not a regular file", path);
	}
	return fd;
}

static char *read_file(const char *path, size_t *len, struct kc_error *err)
{
	int fd = kcp_open_regular(path, err);
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "rb"))) {
		close(fd);
		kcp_fail(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 4096);
			if (!nb)
				break;
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0 && n < (1u << 24));
	fclose(f);
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

/* Loads a JSON object from a file; NULL with a one-line error naming the file. */
static json_t *load_json_file(const char *path, struct kc_error *err)
{
	size_t len;
	json_error_t je;
	char *text = read_file(path, &len, err);
	json_t *j;

	if (!text)
		return NULL;
	j = json_loadb(text, len, 0, &je);
	free(text);
	if (!j) {
		kcp_fail(err, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		kcp_fail(err, "%s: not a JSON object", path);
		return NULL;
	}
	return j;
}

int kc_conn_read(const char *path, struct kc_conninfo *ci, struct kc_error *err)
{
	json_t *j = load_json_file(path, err);
	int rc;

	if (!j)
		return -1;
	rc = kcp_conn_from_json(j, path, ci, err);
	json_decref(j);
	return rc;
}

int kcp_conn_from_json(json_t *j, const char *path, struct kc_conninfo *ci, struct kc_error *err)
{
	json_t *v;
	const char *s;
	struct {
		const char *name;
		int *port;
	} ports[] = {{"shell_port", &ci->shell_port}, {"iopub_port", &ci->iopub_port},
		     {"stdin_port", &ci->stdin_port}, {"control_port", &ci->control_port},
		     {"hb_port", &ci->hb_port}};

	if (!json_is_object(j))
		return kcp_fail(err, "%s: not a JSON object", path);
	memset(ci, 0, sizeof *ci);
	if (json_object_get(j, "curve_publickey"))
		return kcp_fail(err, "%s: CurveZMQ-encrypted connection files are not supported yet",
				path);
	s = json_string_value(json_object_get(j, "transport"));
	snprintf(ci->transport, sizeof ci->transport, "%s", s ? s : "tcp");
	if (strcmp(ci->transport, "tcp") && strcmp(ci->transport, "ipc"))
		return kcp_fail(err, "%s: unsupported transport \"%s\"", path, ci->transport);
	s = json_string_value(json_object_get(j, "ip"));
	snprintf(ci->ip, sizeof ci->ip, "%s", s ? s : "127.0.0.1");
	if (!strcmp(ci->ip, "*") || !strcmp(ci->ip, "0.0.0.0"))
		snprintf(ci->ip, sizeof ci->ip, "127.0.0.1");
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
		v = json_object_get(j, ports[i].name);
		*ports[i].port = port_of(v);
		if (*ports[i].port <= 0 || *ports[i].port > 65535)
			return kcp_fail(err, "%s: missing or invalid %s", path, ports[i].name);
	}
	s = json_string_value(json_object_get(j, "key"));
	if (s && strlen(s) >= sizeof ci->key)
		return kcp_fail(err, "%s: the key is longer than %zu bytes (not supported)", path,
				sizeof ci->key - 1);
	snprintf(ci->key, sizeof ci->key, "%s", s ? s : "");
	s = json_string_value(json_object_get(j, "signature_scheme"));
	snprintf(ci->signature_scheme, sizeof ci->signature_scheme, "%s", s ? s : "hmac-sha256");
	s = json_string_value(json_object_get(j, "kernel_name"));
	snprintf(ci->kernel_name, sizeof ci->kernel_name, "%s", s ? s : "");
	return 0;
}

int kc_conn_write(const char *path, const struct kc_conninfo *ci, struct kc_error *err)
{
	json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s}", "transport",
			      ci->transport, "ip", ci->ip, "shell_port", ci->shell_port,
			      "iopub_port", ci->iopub_port, "stdin_port", ci->stdin_port,
			      "control_port", ci->control_port, "hb_port", ci->hb_port, "key",
			      ci->key, "signature_scheme", ci->signature_scheme, "kernel_name",
			      ci->kernel_name);
	char *text = j ? json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	struct stat st;
	int fd, rc = -1;

	json_decref(j);
	if (!text)
		return kcp_fail(err, "%s: out of memory", path);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		kcp_fail(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* The file holds the key: make sure nobody else can read it before writing it. */
	if (fstat(fd, &st) < 0 || (st.st_mode & 0777) != 0600 || st.st_uid != geteuid()) {
		kcp_fail(err, "%s: could not create it private (mode %o)", path,
			 (unsigned)(st.st_mode & 0777));
		close(fd);
		unlink(path);
		goto out;
	}
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || close(fd) < 0) {
		kcp_fail(err, "%s: %s", path, strerror(errno));
		unlink(path);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &al) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int kc_conn_init_local(struct kc_conninfo *ci, struct kc_error *err)
{
	int *ports[] = {&ci->shell_port, &ci->iopub_port, &ci->stdin_port, &ci->control_port,
			&ci->hb_port};
	unsigned char k[16];

	memset(ci, 0, sizeof *ci);
	strcpy(ci->transport, "tcp");
	strcpy(ci->ip, "127.0.0.1");
	strcpy(ci->signature_scheme, "hmac-sha256");
	for (size_t i = 0; i < 5; i++) {
		/* Ports are released before the kernel binds them; at least make the five differ. */
		for (int tries = 0; tries < 20; tries++) {
			int p = free_port(), dup = 0;

			for (size_t j = 0; j < i; j++)
				dup |= *ports[j] == p;
			if (p > 0 && !dup) {
				*ports[i] = p;
				break;
			}
		}
		if (*ports[i] <= 0)
			return kcp_fail(err, "no free TCP port on 127.0.0.1");
	}
	if (RAND_bytes(k, sizeof k) != 1)
		return kcp_fail(err, "no randomness for the kernel's key");
	for (size_t i = 0, o = 0; i < sizeof k; i++) {
		if (i == 4)
			ci->key[o++] = '-';
		o += sprintf(ci->key + o, "%02x", k[i]);
	}
	return 0;
}

/* The newest (by mtime) file in dir whose name matches the pattern test. */
static int newest_in(const char *dir, const char *substr, int want_kernel_prefix, char *out,
		     size_t size, time_t *best)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 5, ".json"))
			continue;
		if (want_kernel_prefix && strncmp(e->d_name, "kernel", 6))
			continue;
		if (substr && !strstr(e->d_name, substr))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime >= *best) {
			*best = st.st_mtime;
			snprintf(out, size, "%s", path);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

int kc_conn_find(const char *arg, char *out, size_t size, struct kc_error *err)
{
	char rt[PATH_MAX], path[PATH_MAX];
	time_t best = 0;

	if (kc_path_runtime_dir(rt, sizeof rt) < 0)
		return kcp_fail(err, "cannot work out the Jupyter runtime directory");
	if (!arg || !*arg) {
		if (newest_in(rt, NULL, 1, out, size, &best))
			return 0;
		return kcp_fail(err, "no kernel-*.json connection file in %s", rt);
	}
	if (strchr(arg, '/') || access(arg, F_OK) == 0) {
		if (access(arg, R_OK) != 0)
			return kcp_fail(err, "%s: %s", arg, strerror(errno));
		snprintf(out, size, "%s", arg);
		return 0;
	}
	snprintf(path, sizeof path, "%s/%s", rt, arg);
	if (access(path, R_OK) == 0) {
		snprintf(out, size, "%s", path);
		return 0;
	}
	if (newest_in(".", arg, 1, out, size, &best) | newest_in(rt, arg, 0, out, size, &best))
		return 0;
	return kcp_fail(err, "no connection file matching \"%s\" in . or %s", arg, rt);
}
