// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Replay driver for the libFuzzer harnesses, so that every harness also runs in the ordinary test
 * suite (under ASan/UBSan in CI) without clang's fuzzer runtime: it feeds each file of the corpus
 * directory given as argv[1], then a fixed number of pseudo-random inputs built from bytes that
 * parsers of terminal and JSON data find interesting. Prints one TAP line.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4096];
		FILE *f;
		uint8_t *buf;
		long len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(f = fopen(path, "rb")))
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc(len > 0 ? len : 1);
		if (buf && fread(buf, 1, len, f) == (size_t)len) {
			LLVMFuzzerTestOneInput(buf, len);
			n++;
		}
		free(buf);
		fclose(f);
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	static const char pieces[][8] = {"\x1b", "[", "]", "P", "\\", "\x07", ";", "m", "38", "5",
		"2", "0", "\xc2\x9b", "\xe2\x80\xae", "\xff", "\xf0\x9f", "\r", "\b", "\n", "\t", "\"",
		"{", "}", ",", ":", "\\u", "\x00", "9", "a"};
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int files = argc > 1 ? replay_dir(argv[1]) : 0;
	int i, rounds = getenv("FUZZ_ROUNDS") ? atoi(getenv("FUZZ_ROUNDS")) : 20000;
	uint8_t buf[512];

	for (i = 0; i < rounds; i++) {
		size_t len = 0, want = next() % sizeof buf;

		while (len < want) {
			if (next() % 3) {
				const char *p = pieces[next() % (sizeof pieces / sizeof pieces[0])];
				size_t pl = strlen(p) ? strlen(p) : 1;

				if (len + pl > sizeof buf)
					break;
				memcpy(buf + len, p, pl);
				len += pl;
			} else {
				buf[len++] = (uint8_t)next();
			}
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("ok 1 - %s: %d corpus files and %d generated inputs without a fault\n", name, files,
	       rounds);
	return 0;
}
