// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Where a kernel answers a request differently from ipykernel and the protocol leaves room for
 * both readings, the front ends ask here instead of naming kernels themselves. Each question
 * says what it means; the answer comes from the kernel's kernel_info_reply (implementation).
 * The differences between IRkernel (R) and the Python kernels that bobbin handles are listed in
 * docs/kernels.md.
 */
#ifndef BOBBIN_KERNEL_QUIRKS_H
#define BOBBIN_KERNEL_QUIRKS_H

#include "kernelclient/kc.h"

/* Does a silent execute_reply's execution_count name the next stored execution (IRkernel)
 * rather than the last one (ipykernel, xeus-python)? */
int kq_silent_count_is_next(struct kc_client *kc);

/*
 * Caller frees; NULL when out of memory. s with each backspace applied as a terminal would,
 * deleting the character before it on its line: the overstrikes of R's help text ("_\bU" for
 * an underlined U, "B\bB" for a bold B) become the plain letters instead of "_U" and "BB".
 */
char *kq_backspaces(const char *s);

#endif
