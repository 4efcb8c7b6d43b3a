# SPDX-License-Identifier: GPL-3.0-or-later
# Ends the notebook sessions (docs/detach.md) whose sockets are in $JUPYTER_RUNTIME_DIR: a
# notebook screen whose terminal went away goes on detached, so a test's cleanup ends them with
# SIGTERM (recovery file, kernel shut down) and waits until their sockets are gone (at most 20 s).
# Needs BOBBIN and JUPYTER_RUNTIME_DIR.
[ -d "${JUPYTER_RUNTIME_DIR:-}" ] || exit 0
pids=$("$BOBBIN" sessions 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }')
[ -n "$pids" ] && kill $pids 2>/dev/null
i=0
while [ $i -lt 200 ] && ls "$JUPYTER_RUNTIME_DIR"/bobbin-session-*.sock >/dev/null 2>&1; do
	sleep 0.1; i=$((i + 1))
done
exit 0
