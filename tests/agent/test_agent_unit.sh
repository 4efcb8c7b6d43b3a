#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The routing agent's Python unit tests (tests/agent/test_agent_unit.py, Debian's pytest), as TAP.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 300 /usr/bin/python3 -m pytest -q -rA -p no:cacheprovider tests/agent/test_agent_unit.py >"$out" 2>&1
rc=$?
awk '
/^PASSED / { n++; print "ok " n " - agent unit: " $2; next }
/^(FAILED|ERROR) / { n++; print "not ok " n " - agent unit: " $2; next }
' "$out"
[ "$rc" = 0 ] || sed -n '/^=* FAILURES/,/^=* short test summary/p' "$out" | sed 's/^/# /' | head -80
exit "$rc"
