#!/bin/sh
# Install wrknv: one binary, no runtime to install, no sudo.
#
#   curl -fsSL https://github.com/wrknv/wrknv/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- 0.2.0        # a given version
#
# Environment (run with --help for the same):
#   WRKNV_VERSION       the version to install (the first argument wins); default: latest
#   WRKNV_INSTALL       the directory to install into; default: ~/.local/bin
#   WRKNV_DOWNLOAD_URL  where releases are: a mirror URL, a file:// URL or a directory,
#                       laid out as GitHub releases are:
#                         <base>/latest/download/<file>        the latest release
#                         <base>/download/v<version>/<file>    a given release
#                       where <file> is wrknv-<target>.tar.gz or SHA256SUMS
#   WRKNV_OS, WRKNV_ARCH  install for this platform instead of the detected one
#                       (values as uname -s and uname -m print them: Linux, Darwin;
#                       x86_64, amd64, aarch64, arm64)
set -eu

# The releases of the wrknv repository: the one place to change it.
RELEASES_URL="https://github.com/wrknv/wrknv/releases"

usage() {
	cat <<'USAGE'
Install wrknv.

Usage: install.sh [VERSION]
       install.sh --help

VERSION (or WRKNV_VERSION) picks a release, e.g. 0.2.0; the default is the latest.
The archive is checked against the release's SHA256SUMS before anything is
installed, and the binary is put in place in one step (no sudo).

Environment:
  WRKNV_INSTALL       directory to install into (default: ~/.local/bin)
  WRKNV_DOWNLOAD_URL  a mirror, a file:// URL or a directory holding releases as
                      <base>/latest/download/<file> and <base>/download/v<VERSION>/<file>
  WRKNV_OS            the operating system, as uname -s prints it (Linux, Darwin)
  WRKNV_ARCH          the architecture, as uname -m prints it (x86_64, aarch64, arm64)

Platforms: Linux (glibc) and macOS on x86_64 and arm64. On Windows, download
wrknv-x86_64-pc-windows-msvc.zip from the release instead.
USAGE
}

say() { printf 'wrknv-install: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

version="${WRKNV_VERSION:-latest}"
case "$#" in
0) ;;
1)
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	-*) die "unknown option $1 (see --help)" ;;
	*) version="$1" ;;
	esac
	;;
*) die "expected at most one argument, the version (see --help)" ;;
esac
version="${version#v}"
case "$version" in
latest) ;;
[0-9]*.*[0-9A-Za-z])
	case "$version" in
	*[!0-9A-Za-z.+-]*) die "not a version: $version (expected e.g. 0.2.0)" ;;
	esac
	;;
*) die "not a version: $version (expected e.g. 0.2.0)" ;;
esac

base="${WRKNV_DOWNLOAD_URL:-$RELEASES_URL}"
base="${base%/}"
if [ "$version" = latest ]; then
	url_dir="$base/latest/download"
else
	url_dir="$base/download/v$version"
fi
dest="${WRKNV_INSTALL:-${HOME:?HOME is not set; set WRKNV_INSTALL}/.local/bin}"

os="${WRKNV_OS:-$(uname -s)}"
arch="${WRKNV_ARCH:-$(uname -m)}"
is_musl() {
	for f in /lib/ld-musl-*; do
		[ -e "$f" ] && return 0
	done
	ldd --version 2>&1 | grep -qi musl
}
case "$os" in
Linux | linux)
	if [ -z "${WRKNV_OS:-}" ] && is_musl; then
		die "this system uses musl libc (Alpine?); wrknv ships glibc builds only: build from source (see the README)"
	fi
	os_part="unknown-linux-gnu"
	;;
Darwin | darwin) os_part="apple-darwin" ;;
MINGW* | MSYS* | CYGWIN* | Windows* | windows*)
	die "on Windows, download $url_dir/wrknv-x86_64-pc-windows-msvc.zip and put wrknv.exe on your PATH"
	;;
*) die "unsupported operating system: $os (releases are built for Linux and macOS)" ;;
esac
case "$arch" in
x86_64 | amd64) arch_part="x86_64" ;;
aarch64 | arm64) arch_part="aarch64" ;;
*) die "unsupported architecture: $arch (releases are built for x86_64 and aarch64)" ;;
esac
target="${arch_part}-${os_part}"
archive="wrknv-${target}.tar.gz"

# The tools, before anything is downloaded.
case "$base" in
file://* | /*) ;;
*)
	command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 ||
		die "neither curl nor wget is installed; install one, or set WRKNV_DOWNLOAD_URL to a directory"
	;;
esac
if command -v sha256sum >/dev/null 2>&1; then
	sha256() { sha256sum "$1" | awk '{ print $1 }'; }
elif command -v shasum >/dev/null 2>&1; then
	sha256() { shasum -a 256 "$1" | awk '{ print $1 }'; }
else
	die "neither sha256sum nor shasum is installed; cannot verify the download"
fi

tmp="$(mktemp -d 2>/dev/null || mktemp -d -t wrknv)"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fetch() { # fetch URL FILE
	case "$1" in
	file://*) cp "${1#file://}" "$2" 2>/dev/null ;;
	/*) cp "$1" "$2" 2>/dev/null ;;
	*)
		if command -v curl >/dev/null 2>&1; then
			curl -fsSL --retry 2 -o "$2" "$1"
		else
			wget -q -O "$2" "$1"
		fi
		;;
	esac
}

say "downloading $archive ($version) from $url_dir"
fetch "$url_dir/$archive" "$tmp/$archive" || die "could not download $url_dir/$archive"
fetch "$url_dir/SHA256SUMS" "$tmp/SHA256SUMS" || die "could not download $url_dir/SHA256SUMS"

want="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print tolower($1); exit }' "$tmp/SHA256SUMS")"
[ -n "$want" ] || die "SHA256SUMS has no line for $archive; nothing was installed"
got="$(sha256 "$tmp/$archive")"
[ "$got" = "$want" ] || die "checksum mismatch for $archive (got $got, expected $want); nothing was installed"

mkdir "$tmp/unpacked"
tar -xzf "$tmp/$archive" -C "$tmp/unpacked" 2>/dev/null || die "could not unpack $archive; nothing was installed"
if [ ! -f "$tmp/unpacked/wrknv" ] || [ -L "$tmp/unpacked/wrknv" ]; then
	die "$archive does not hold a wrknv binary; nothing was installed"
fi

mkdir -p "$dest" 2>/dev/null || die "cannot make $dest (set WRKNV_INSTALL to a directory you can write)"
part="$dest/.wrknv.tmp.$$"
cp "$tmp/unpacked/wrknv" "$part" 2>/dev/null || {
	rm -f "$part"
	die "cannot write to $dest (set WRKNV_INSTALL to a directory you can write)"
}
chmod 755 "$part"
mv -f "$part" "$dest/wrknv" || {
	rm -f "$part"
	die "cannot install into $dest"
}
say "installed $dest/wrknv ($version, $target)"
case ":${PATH:-}:" in
*":$dest:"*)
	found="$(command -v wrknv 2>/dev/null || true)"
	if [ -n "$found" ] && [ "$found" != "$dest/wrknv" ]; then
		say "note: $found comes first on your PATH; remove it or put $dest before it"
	fi
	;;
*) say "note: $dest is not on your PATH; add it, e.g.: export PATH=\"$dest:\$PATH\"" ;;
esac
