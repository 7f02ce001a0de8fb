#!/usr/bin/env bash
# Installs what Colorizer needs on Debian or Ubuntu: the native libraries of OpenCV's runtime (libgtk-3-0), ffmpeg,
# and the .NET 10 SDK if it is missing (into /usr/local/share/dotnet, linked from /usr/local/bin). With --test it also installs Chromium for the browser tests,
# ImageMagick, whose CMYK JPEG encoder makes test input, and exiftool, which writes and independently reads the metadata
# test files. With --bench it also installs Debian's python3-opencv and
# python3-numpy, which the benchmark's reference Python pipeline runs on (bench/reference/colorize_reference.py).
# The flags combine: ./scripts/install-deps.sh --test --bench
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(libgtk-3-0 ffmpeg ca-certificates curl)
for flag in "$@"; do
  case "$flag" in
    --test) packages+=(chromium imagemagick libimage-exiftool-perl) ;;
    --bench) packages+=(python3-opencv python3-numpy) ;;
    *) echo "usage: $0 [--test] [--bench]" >&2; exit 2 ;;
  esac
done

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} > 0 )); then
  echo "Installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "Installing the .NET 10 SDK into /usr/local/share/dotnet"
  curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh
  as_root bash /tmp/dotnet-install.sh --channel 10.0 --install-dir /usr/local/share/dotnet
  as_root ln -sf /usr/local/share/dotnet/dotnet /usr/local/bin/dotnet
fi
