#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# .clang-format decides the layout of every C file: this check fails when clang-format would
# change a file. Files written before the check came are listed in tests/lint/format_pending
# and skipped until they are reformatted (in one commit each, when nobody else is restructuring
# them: reformatting in passing would bury real changes and collide with other branches); a
# listed file that is already clean fails too, so the list only shrinks. Prints TAP.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "ok 1 - # SKIP clang-format is not installed (scripts/deps.sh installs it)"
	echo "1..1"
	exit 0
fi
n=0 bad=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find kernelclient notebook tui tests bench -name '*.[ch]'); do
	[ -f "$f" ] || continue
	if grep -qxF "$f" tests/lint/format_pending; then
		if clang-format "$f" | cmp -s - "$f"; then
			n=$((n + 1)); bad=1
			echo "not ok $n - $f is formatted: take it off tests/lint/format_pending"
		fi
		continue
	fi
	if ! clang-format "$f" | cmp -s - "$f"; then
		n=$((n + 1)); bad=1
		echo "not ok $n - $f is not as .clang-format says (clang-format -i $f)"
		clang-format "$f" | diff "$f" - | head -10 | sed 's/^/#   /'
	fi
done
n=$((n + 1))
if [ $bad = 0 ]; then echo "ok $n - every C file not in format_pending is as .clang-format says"
else echo "not ok $n - some files are not as .clang-format says"; fi
echo "1..$n"
