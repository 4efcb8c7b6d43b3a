// SPDX-License-Identifier: GPL-3.0-or-later
/* Helpers for harnesses whose parser reads a file: one private temporary directory per process,
 * and writing the input into a file there. */
#ifndef BOBBIN_FUZZ_UTIL_H
#define BOBBIN_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A private directory made on first use, removed at exit with what fuzz_file() wrote. */
static char fuzz_dir_path[64];
static char fuzz_files[4][128];

static void fuzz_cleanup(void)
{
	for (int i = 0; i < 4; i++)
		if (fuzz_files[i][0])
			unlink(fuzz_files[i]);
	rmdir(fuzz_dir_path);
}

static const char *fuzz_dir(void)
{
	if (!fuzz_dir_path[0]) {
		snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "/tmp/bobbin-fuzz-XXXXXX");
		if (!mkdtemp(fuzz_dir_path))
			abort();
		atexit(fuzz_cleanup);
	}
	return fuzz_dir_path;
}

/* Writes data into the file name (at most 4 names) in fuzz_dir(); returns its path. */
static const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[128];
	FILE *f;
	int i;

	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	for (i = 0; i < 4 && fuzz_files[i][0] && strcmp(fuzz_files[i], path); i++)
		;
	if (i < 4 && !fuzz_files[i][0])
		snprintf(fuzz_files[i], sizeof fuzz_files[i], "%s", path);
	if (!(f = fopen(path, "wb")) || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

#endif
