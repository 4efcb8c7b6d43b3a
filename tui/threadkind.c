// SPDX-License-Identifier: GPL-3.0-or-later
/* Kernel threads by kind: see threadkind.h. */
#include <string.h>

#include "tui/threadkind.h"

int tk_is_fd(const char *name, const char *origin_kind)
{
	return (name && strstr(name, "_watch_pipe_fd")) || (origin_kind && !strcmp(origin_kind, "fd"));
}

/* Thread names of ipykernel and IPython internals, for agents that do not say "internal". */
static int internal_name(const char *name)
{
	static const char *const names[] = {"IOPub", "Heartbeat", "Control", "Shell",
					    "IPythonHistorySavingThread", "ParentPollerUnix",
					    "ParentPollerWindows", "ShellChannelThread"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return !strncmp(name, "bobbin", 6);
}

enum tk_kind tk_classify(const json_t *t)
{
	const char *name = json_string_value(json_object_get(t, "name"));
	const json_t *internal = json_object_get(t, "internal");

	if (!name)
		name = "";
	if (tk_is_fd(name, NULL) || (json_is_true(internal) &&
				      !strcmp(json_string_value(json_object_get(t, "role")) ?: "", "fd")))
		return TK_FD;
	/* unnamed Thread subclasses that ran before an older agent came: ParentPollerUnix, … */
	if (json_is_boolean(internal) ? json_is_true(internal)
				      : internal_name(name) ||
						(json_is_true(json_object_get(t, "preexisting")) &&
						 !strncmp(name, "Thread-", 7) && !strchr(name, '(')))
		return TK_KERNEL;
	if (!strcmp(json_string_value(json_object_get(t, "origin_kind")) ?: "", "main") ||
	    !strcmp(name, "MainThread"))
		return TK_MAIN;
	return TK_USER;
}

const char *tk_word(enum tk_kind k)
{
	static const char *const words[] = {"", "main", "fd 1/2", "kernel"};

	return words[k];
}
