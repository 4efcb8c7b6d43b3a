#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile or broken files and keys, with the real binary: a FIFO given as the connection file,
# the notebook or a kernel.json is refused at once (no hang); a key longer than bobbin supports
# is refused, not cut; attached to a real ipykernel with the wrong key while another client makes
# it talk, bobbin says how many messages had a bad signature instead of blaming a stale file;
# an --output-limit that overflows is refused. Prints TAP. Needs Debian's ipykernel and
# jupyter_client.
BOBBIN=${BOBBIN:-$PWD/bobbin}
PY=/usr/bin/python3
T=$(mktemp -d)
KPID= TPID=
trap '[ -n "$TPID" ] && kill $TPID 2>/dev/null; [ -n "$KPID" ] && kill $KPID 2>/dev/null; rm -rf "$T"' EXIT
export JUPYTER_RUNTIME_DIR="$T/runtime" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
mkdir -p "$JUPYTER_RUNTIME_DIR"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
check() { if [ "$1" = 0 ]; then ok "$2"; else no "$2" "$3"; fi; }

mkfifo "$T/fifo.json" "$T/fifo.ipynb"
timeout -k 5 20 "$BOBBIN" exec --existing="$T/fifo.json" -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && grep -q "fifo.json: not a regular file" "$T/err"
check $? "--existing=FIFO: refused at once" "rc=$rc $(cat "$T/err")"
timeout -k 5 20 "$BOBBIN" run "$T/fifo.ipynb" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q "fifo.ipynb: not a regular file" "$T/err"
check $? "run FIFO: refused at once" "rc=$rc $(cat "$T/err")"
mkdir -p "$T/kp/kernels/pipe"
mkfifo "$T/kp/kernels/pipe/kernel.json"
JUPYTER_PATH="$T/kp" timeout -k 5 20 "$BOBBIN" kernels >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 124 ] && grep -q "pipe/kernel.json: not a regular file" "$T/err"
check $? "kernels: a FIFO kernel.json is reported, no hang" "rc=$rc $(cat "$T/err")"

long=$(head -c 300 /dev/zero | tr '\0' k)
printf '{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "127.0.0.1", "key": "%s", "transport": "tcp"}\n' "$long" >"$T/long.json"
timeout -k 5 20 "$BOBBIN" exec --existing="$T/long.json" -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && grep -q "long.json: the key is longer than 255 bytes" "$T/err"
check $? "a key longer than 255 bytes is refused, not cut" "rc=$rc $(cat "$T/err")"

"$BOBBIN" run --output-limit 18014398509481985k "$T/x.ipynb" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] && grep -q "output-limit" "$T/err"
check $? "--output-limit that overflows is refused" "rc=$rc $(cat "$T/err")"

# A real kernel that writes its own connection file (its ports, its key); another client keeps
# it talking on iopub; bobbin gets a copy of the file with another key.
$PY -m ipykernel_launcher -f "$T/right.json" >"$T/kernel.log" 2>&1 &
KPID=$!
i=0
while ! $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/right.json" 2>/dev/null && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
$PY -c 'import json,sys; c=json.load(open(sys.argv[1])); c["key"]="wrong"; json.dump(c, open(sys.argv[2], "w"))' "$T/right.json" "$T/wrong.json"
$PY - "$T" >"$T/talker.log" 2>&1 <<'PYEOF' &
import sys, jupyter_client
kc = jupyter_client.BlockingKernelClient(connection_file=sys.argv[1] + "/right.json")
kc.load_connection_file(); kc.start_channels(); kc.wait_for_ready(timeout=60)
kc.execute("import time\nfor i in range(100000):\n    print(i, flush=True); time.sleep(0.02)")
while kc.get_iopub_msg(timeout=60)["msg_type"] != "stream":
    pass
open(sys.argv[1] + "/talking", "w").close()
kc.get_shell_msg(timeout=3600)
PYEOF
TPID=$!
i=0
while [ ! -e "$T/talking" ] && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
timeout -k 5 60 "$BOBBIN" exec --existing="$T/wrong.json" -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && grep -q "messages\{0,1\} with a bad signature — wrong key?" "$T/err" && ! grep -q stale "$T/err"
check $? "wrong key: bad signatures counted and named, not a stale file" "rc=$rc $(cat "$T/err" "$T/talker.log")" "$(tail -5 "$T/kernel.log")"
