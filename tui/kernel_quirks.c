// SPDX-License-Identifier: GPL-3.0-or-later
/* Kernel differences the protocol leaves open (kernel_quirks.h). */
#include <string.h>

#include "tui/kernel_quirks.h"

static int implementation_is(struct kc_client *kc, const char *name)
{
	json_t *info = kc_client_info(kc);
	const char *impl = json_string_value(json_object_get(info, "implementation"));

	return impl && !strcmp(impl, name);
}

int kq_silent_count_is_next(struct kc_client *kc)
{
	return implementation_is(kc, "IRkernel");
}
