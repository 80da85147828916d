#!/bin/sh
# Obtain BearSSL 0.6 source into vendor/bearssl-0.6, verified against the
# pinned SHA-256 in vendor/bearssl.sha256.  Nothing here is ever committed.
#
# Order of preference:
#   1. BEARSSL_SRC=DIR      an already unpacked BearSSL tree (offline builds)
#   2. BEARSSL_TARBALL=FILE the upstream tarball, checked against the pin
#   3. the `bearssl` source package from the machine's configured Debian
#      mirror, fetched with apt-get into a private state directory so the
#      system's apt configuration is never touched.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/bearssl-0.6"
tarname=bearssl_0.6+dfsg.1.orig.tar.xz
want=$(awk '{print $1}' "$here/bearssl.sha256")

fail() {
	cat >&2 <<MSG
vendor/fetch-bearssl.sh: $1
ExamFlow needs the BearSSL 0.6 source to build. It normally downloads the
Debian source package 'bearssl' with apt-get (this needs a Debian or Ubuntu
machine with a reachable package mirror). On other systems or offline, get
the upstream tarball $tarname (SHA-256 $want) and run
'make BEARSSL_TARBALL=/path/to/it', or unpack BearSSL 0.6 anywhere and run
'make BEARSSL_SRC=/path/to/bearssl-0.6'.
MSG
	exit 1
}

[ -f "$dest/inc/bearssl.h" ] && exit 0

if [ -n "${BEARSSL_SRC:-}" ]; then
	[ -f "$BEARSSL_SRC/inc/bearssl.h" ] || fail "BEARSSL_SRC=$BEARSSL_SRC has no inc/bearssl.h"
	rm -rf "$dest"; mkdir -p "$dest"
	cp -R "$BEARSSL_SRC"/. "$dest"/
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/examflow-bearssl.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if [ -n "${BEARSSL_TARBALL:-}" ]; then
	[ -f "$BEARSSL_TARBALL" ] || fail "BEARSSL_TARBALL=$BEARSSL_TARBALL does not exist"
	cp "$BEARSSL_TARBALL" "$work/$tarname"
else
	command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available and neither BEARSSL_SRC nor BEARSSL_TARBALL is set."
	# Derive a deb-src entry from the first Debian archive entry this machine
	# already uses (deb822 .sources or one-line sources.list format).
	mirror= suite=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		mirror=$(awk '/^URIs:/{print $2; exit}' "$f")
		suite=$(awk '/^Suites:/{print $2; exit}' "$f")
		[ -n "$mirror" ] && break
	done
	if [ -z "$mirror" ]; then
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			line=$(grep -m1 -E '^deb[[:space:]]' "$f" || true)
			[ -n "$line" ] || continue
			set -- $(echo "$line" | sed 's/\[[^]]*\]//')
			mirror=$2 suite=$3
			break
		done
	fi
	[ -n "$mirror" ] && [ -n "$suite" ] || fail "no Debian package source found in /etc/apt."
	mkdir -p "$work/lists/partial" "$work/parts" "$work/dl"
	: > "$work/sources.list"
	printf 'deb-src [trusted=yes] %s %s main\n' "$mirror" "$suite" > "$work/parts/src.list"
	opts="-o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=$work/parts -o Dir::State::Lists=$work/lists -o APT::Sandbox::User=root"
	echo "fetching the BearSSL source package (about 10 MB of package index, once)"
	# shellcheck disable=SC2086
	apt-get -qq $opts update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get update for the source index failed."; }
	# shellcheck disable=SC2086
	(cd "$work/dl" && apt-get -qq $opts source --download-only bearssl) >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get source bearssl failed."; }
	[ -f "$work/dl/$tarname" ] || fail "the bearssl source package did not contain $tarname (a newer Debian release may ship another version)."
	mv "$work/dl/$tarname" "$work/$tarname"
fi

got=$(sha256sum "$work/$tarname" | awk '{print $1}')
[ "$got" = "$want" ] || fail "checksum mismatch for $tarname: got $got, want $want."
tar -C "$work" -xJf "$work/$tarname"
[ -f "$work/bearssl-0.6/inc/bearssl.h" ] || fail "the tarball did not unpack to bearssl-0.6/."
rm -rf "$dest"
mv "$work/bearssl-0.6" "$dest"
echo "BearSSL 0.6 source verified ($want)"
