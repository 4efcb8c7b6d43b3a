# SPDX-License-Identifier: GPL-3.0-or-later
# A private sshd on 127.0.0.1 for the --ssh tests: generated host and user keys in $T, the
# user's own account, no system service, and an ssh_config of its own (ssh -F) passed to bobbin
# through BOBBIN_SSH, so ~/.ssh is neither read nor written. Source it with T set; it defines
# ssh_up (starts sshd, exports BOBBIN_SSH, HOST=bobbintest) and ssh_down.
# The "remote" Jupyter runtime dir is $T/rt (sshd's SetEnv).
SSHD=/usr/sbin/sshd

ssh_free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ssh_up() {
	mkdir -p "$T/rt" "$T/tmp" && chmod 700 "$T/rt" "$T/tmp"
	ssh-keygen -q -t ed25519 -N '' -f "$T/host_key" </dev/null || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$T/id" </dev/null || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$T/wrong_id" </dev/null || return 1
	cp "$T/id.pub" "$T/authorized_keys"
	SSH_PORT=$(ssh_free_port)
	# OpenSSH 9.2 as root wants its privilege separation directory.
	[ "$(id -u)" != 0 ] || [ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd
	cat >"$T/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $T/host_key
PidFile $T/sshd.pid
AuthorizedKeysFile $T/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
SetEnv JUPYTER_RUNTIME_DIR=$T/rt JUPYTER_PATH=$T/jp
LogLevel ERROR
CFG
	printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1-2 "$T/host_key.pub")" >"$T/known_hosts"
	cat >"$T/ssh_config" <<CFG
Host bobbintest wrongkey
  HostName 127.0.0.1
  Port $SSH_PORT
  User $(id -un)
  IdentitiesOnly yes
  UserKnownHostsFile $T/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  LogLevel ERROR
Host bobbintest
  IdentityFile $T/id
Host wrongkey
  IdentityFile $T/wrong_id
  BatchMode yes
Host *
  ControlMaster no
CFG
	"$SSHD" -f "$T/sshd_config" -E "$T/sshd.log" || return 1
	export BOBBIN_SSH="ssh -F $T/ssh_config"
	export TMPDIR="$T/tmp"
	unset XDG_RUNTIME_DIR
	HOST=bobbintest
	# Ready when a login works (bounded).
	i=0
	while ! ssh -F "$T/ssh_config" -o BatchMode=yes bobbintest true 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$T/sshd.log" >&2; return 1; }
		sleep 0.1
	done
}

ssh_down() {
	[ -f "$T/sshd.pid" ] && kill "$(cat "$T/sshd.pid")" 2>/dev/null
}

# The ssh processes whose command line names this test's config (none must be left).
ssh_children() {
	pgrep -f -- "-F $T/ssh_config" 2>/dev/null
}

# Socket files or directories left in the private tmp dir.
ssh_leftovers() {
	find "$T/tmp" -mindepth 1 2>/dev/null
}
