#!/bin/sh
# Install wrknv: one static binary, no runtime to install.
#
#   curl -fsSL https://github.com/wrknv/wrknv/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- 0.2.0        # a given version
#
# Environment:
#   WRKNV_VERSION       the version to install (or the first argument); default: the latest
#   WRKNV_INSTALL       the directory to install into; default: ~/.local/bin
#   WRKNV_DOWNLOAD_URL  the base of a mirror, or a file:// directory, laid out as the releases:
#                       <base>/latest/download/<file> and <base>/download/v<version>/<file>
#   WRKNV_OS, WRKNV_ARCH  override the detected platform (uname -s, uname -m)
set -eu

REPO_URL="https://github.com/wrknv/wrknv/releases"

usage() {
	cat <<'USAGE'
Install wrknv.

Usage: install.sh [VERSION]
       install.sh --help

VERSION (or WRKNV_VERSION) picks a release, e.g. 0.2.0; the default is the latest.
WRKNV_INSTALL sets the directory (default ~/.local/bin); no sudo is used.
WRKNV_DOWNLOAD_URL points at a mirror or a file:// directory for offline installs.
The download is checked against the release's SHA256SUMS before anything is installed.
USAGE
}

say() { printf 'wrknv-install: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

case "${1:-}" in
-h | --help)
	usage
	exit 0
	;;
esac

version="${1:-${WRKNV_VERSION:-latest}}"
version="${version#v}"
base="${WRKNV_DOWNLOAD_URL:-$REPO_URL}"
base="${base%/}"
dest="${WRKNV_INSTALL:-${HOME:?HOME is not set}/.local/bin}"

os="${WRKNV_OS:-$(uname -s)}"
arch="${WRKNV_ARCH:-$(uname -m)}"
case "$os" in
Linux | linux)
	if [ -z "${WRKNV_OS:-}" ] && { ls /lib/ld-musl-* >/dev/null 2>&1 || (ldd --version 2>&1 | grep -qi musl); }; then
		die "this system uses musl libc; wrknv ships glibc builds only (build from source: see the README)"
	fi
	os_part="unknown-linux-gnu"
	;;
Darwin | darwin) os_part="apple-darwin" ;;
MINGW* | MSYS* | CYGWIN* | Windows*) die "on Windows, download wrknv-x86_64-pc-windows-msvc.zip from $REPO_URL" ;;
musl) die "this system uses musl libc; wrknv ships glibc builds only (build from source: see the README)" ;;
*) die "unsupported operating system: $os" ;;
esac
case "$arch" in
x86_64 | amd64) arch_part="x86_64" ;;
aarch64 | arm64) arch_part="aarch64" ;;
*) die "unsupported architecture: $arch" ;;
esac
target="${arch_part}-${os_part}"
archive="wrknv-${target}.tar.gz"
if [ "$version" = latest ]; then
	url_dir="$base/latest/download"
else
	url_dir="$base/download/v$version"
fi

tmp="$(mktemp -d 2>/dev/null || mktemp -d -t wrknv)"
trap 'rm -rf "$tmp"' EXIT INT TERM

fetch() { # fetch URL FILE
	case "$1" in
	file://*)
		cp "${1#file://}" "$2" 2>/dev/null || return 1
		;;
	*)
		if command -v curl >/dev/null 2>&1; then
			curl -fsSL --retry 2 -o "$2" "$1"
		elif command -v wget >/dev/null 2>&1; then
			wget -q -O "$2" "$1"
		else
			die "neither curl nor wget is installed"
		fi
		;;
	esac
}

say "downloading $archive ($version) from $url_dir"
fetch "$url_dir/$archive" "$tmp/$archive" || die "could not download $url_dir/$archive"
fetch "$url_dir/SHA256SUMS" "$tmp/SHA256SUMS" || die "could not download $url_dir/SHA256SUMS"

want="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")"
[ -n "$want" ] || die "SHA256SUMS has no line for $archive"
if command -v sha256sum >/dev/null 2>&1; then
	got="$(sha256sum "$tmp/$archive" | awk '{ print $1 }')"
elif command -v shasum >/dev/null 2>&1; then
	got="$(shasum -a 256 "$tmp/$archive" | awk '{ print $1 }')"
else
	die "neither sha256sum nor shasum is installed; cannot verify the download"
fi
[ "$got" = "$want" ] || die "checksum mismatch for $archive (got $got, expected $want); nothing was installed"

mkdir -p "$tmp/unpacked"
tar -xzf "$tmp/$archive" -C "$tmp/unpacked" || die "could not unpack $archive"
[ -f "$tmp/unpacked/wrknv" ] || die "$archive does not hold a wrknv binary"

mkdir -p "$dest" || die "cannot make $dest"
cp "$tmp/unpacked/wrknv" "$dest/.wrknv.tmp.$$" || die "cannot write to $dest"
chmod 755 "$dest/.wrknv.tmp.$$"
mv -f "$dest/.wrknv.tmp.$$" "$dest/wrknv" || {
	rm -f "$dest/.wrknv.tmp.$$"
	die "cannot install into $dest"
}
say "installed $dest/wrknv"
case ":${PATH:-}:" in
*":$dest:"*) ;;
*) say "note: $dest is not on your PATH; add it, e.g.: export PATH=\"$dest:\$PATH\"" ;;
esac
