#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian packages bobbin builds, tests and benchmarks with, only when one is missing.
# Quiet and quick when everything is there.
set -e
PKGS="gcc make pkg-config libncurses-dev libzmq3-dev libjansson-dev libreadline-dev libssl-dev
libcmocka-dev libcmark-gfm-dev libcmark-gfm-extensions-dev python3-ipykernel xpython python3-jupyter-client jupyter-nbconvert
python3-nbformat jupyter-console tmux locales bc python3-pytest python3-comm
libchafa-dev libglib2.0-dev libspng-dev
libjpeg62-turbo-dev python3-matplotlib libgif-dev
openssh-server r-cran-irkernel clang-format
python3-jupyter-server libcurl4-openssl-dev libwslay-dev openssl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing >/dev/null
