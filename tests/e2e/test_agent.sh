#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The routing agent's own scenario tests (tests/agent/test_scenarios.py: routing.md's cases under
# every policy, install/upgrade, toggles while a cell runs, a toggle flood that must lose and
# duplicate nothing) against Debian's ipykernel, reported as TAP. They drive the kernel with
# jupyter_client and do not involve the C build, so the sanitizer run skips them.
case "${B:-}" in *san*) echo "ok 1 - agent scenarios: run in the ordinary build only"; exit 0 ;; esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 900 /usr/bin/python3 tests/agent/test_scenarios.py >"$out" 2>/dev/null
rc=$?
awk '
/^ok   / { n++; sub(/^ok +/, ""); print "ok " n " - agent: " $0; next }
/^FAIL / { n++; sub(/^FAIL /, ""); print "not ok " n " - agent: " $0; next }
/^  / { print "#" $0 }
' "$out"
[ "$rc" = 0 ]
