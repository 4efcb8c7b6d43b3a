# SPDX-License-Identifier: GPL-3.0-or-later
# A real Jupyter Server (Debian's python3-jupyter-server) for the end-to-end tests: srv_up starts
# it on a free 127.0.0.1 port with a generated token (in $T/token), a private root ($SRV_ROOT),
# runtime and config dir, and waits (bounded) until its API answers; srv_down stops it. Sets
# SRV_URL. SRV_SCHEME=https with SRV_CERT and SRV_KEY serves TLS. Sourced after T is set.
SRV_PY=/usr/bin/python3
SRV_PID=""
srv_port() {
	$SRV_PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# srv_api PATH [METHOD]: the server's answer (JSON) on stdout; non-zero on an error
srv_api() {
	$SRV_PY - "$SRV_URL$1" "$(cat "$T/token")" "${2:-GET}" "${SRV_CA:-}" <<'EOF'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[4]) if sys.argv[4] else None
req = urllib.request.Request(sys.argv[1], method=sys.argv[3],
                             headers={"Authorization": "token " + sys.argv[2]})
print(urllib.request.urlopen(req, timeout=10, context=ctx).read().decode())
EOF
}
srv_up() {
	SRV_ROOT=${SRV_ROOT:-$T/root}
	mkdir -p "$SRV_ROOT" "$T/srv-rt" "$T/srv-cfg"
	$SRV_PY -c 'import secrets; print(secrets.token_hex(16))' >"$T/token"
	SRV_PORT=$(srv_port)
	SRV_URL="${SRV_SCHEME:-http}://127.0.0.1:$SRV_PORT/"
	tls=""
	[ -n "${SRV_CERT:-}" ] && tls="--ServerApp.certfile=$SRV_CERT --ServerApp.keyfile=$SRV_KEY"
	root=""
	[ "$(id -u)" = 0 ] && root=--allow-root
	# no rate limits: the flood and image notebooks must arrive whole, as with a local kernel
	# from the root, as `jupyter server` is usually run: kernels start there
	(cd "$SRV_ROOT" && exec env JUPYTER_RUNTIME_DIR="$T/srv-rt" \
		JUPYTER_CONFIG_DIR="$T/srv-cfg" JUPYTER_TOKEN= setsid $SRV_PY -m jupyter_server --no-browser $root \
		--ServerApp.ip=127.0.0.1 --ServerApp.port="$SRV_PORT" --ServerApp.port_retries=0 \
		--ServerApp.token="$(cat "$T/token")" --ServerApp.root_dir="$SRV_ROOT" \
		--ServerApp.iopub_data_rate_limit=0 --ServerApp.iopub_msg_rate_limit=0 \
		$tls >"$T/server.log" 2>&1) &
	SRV_PID=$!
	lim=$(( $(date +%s) + 60 ))
	while [ "$(date +%s)" -le "$lim" ]; do
		srv_api api/status >/dev/null 2>&1 && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.2 # the server is starting: nothing to wait on but its port
	done
	echo "# the server did not come up:"; sed 's/^/#   /' "$T/server.log" | tail -20
	return 1
}
srv_down() {
	[ -n "$SRV_PID" ] || return 0
	kill -TERM "-$SRV_PID" 2>/dev/null
	i=0
	# (a zombie answers kill -0: ask ps for the state)
	while ps -o stat= -p "$SRV_PID" 2>/dev/null | grep -qv Z && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "-$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=""
}
# srv_kernels: how many kernels the server runs
srv_kernels() {
	srv_api api/kernels | $SRV_PY -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
# srv_leftovers: processes (kernels) still using the server's runtime dir
srv_leftovers() { pgrep -f "$T/srv-rt" || true; }
