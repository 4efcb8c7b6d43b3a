#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes a C file defining `const char NAME[]` with the bytes of FILE (text), for data shipped
# inside the binary. Usage: embed.sh NAME FILE
printf '/* Generated from %s by scripts/embed.sh; do not edit. */\nconst char %s[] =\n' "$2" "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/	/\\t/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
printf ';\n'
