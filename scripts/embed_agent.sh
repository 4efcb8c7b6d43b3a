#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the one line of Python that bobbin sends as the silent execute_request installing the
# routing agent: it runs the module FILE inside a fresh module object (outside sys.modules, so the
# user namespace gets nothing) and calls its install().  The module's text travels as a Python
# string literal: backslashes and single quotes escaped, lines joined with \n.  Usage:
# embed_agent.sh FILE
set -e
if LC_ALL=C grep -q '[^ -~	]' "$1"; then
	echo "embed_agent.sh: $1: only printable ASCII and tabs can be embedded" >&2
	exit 1
fi
printf "(lambda m: (exec(compile('"
sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$1" | awk '{ printf "%s\\n", $0 }'
printf "', 'bobbin_agent.py', 'exec'), m.__dict__), m.install()) and None)(__import__('types').ModuleType('bobbin_agent'))\n"
