// SPDX-License-Identifier: GPL-3.0-or-later
/* Fuzz harness for kernel.json: kc_kernelspec_load() on arbitrary bytes either fails with a
 * message or gives a spec with a non-empty argv of strings, a name, a display name and an
 * interrupt_mode of "signal" or "message". */
#include <string.h>

#include "kernelclient/kc.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_error err = {0};
	struct kc_kernelspec *s;

	fuzz_file("kernel.json", data, size);
	if (!(s = kc_kernelspec_load(fuzz_dir(), "fuzz", &err))) {
		if (!err.text[0])
			abort();
		return 0;
	}
	if (!s->argv || !s->argv[0] || !s->name || !s->display_name || !s->interrupt_mode ||
	    (strcmp(s->interrupt_mode, "signal") && strcmp(s->interrupt_mode, "message")))
		abort();
	for (char **a = s->argv; *a; a++)
		(void)strlen(*a);
	kc_kernelspec_free(s);
	return 0;
}
