#!/usr/bin/env bash
# Builds a base image without any registry: a minimal Debian from the apt mirror this machine is
# configured with (debootstrap) plus this machine's Node binary and npm. Prints the image tag.
# The root filesystem tarball is cached under /var/tmp, so a second run only imports it.
# Usage: docker/local-base.sh [tag]   (as root; needs debootstrap and a running Docker daemon)
set -euo pipefail
tag="${1:-standin-base:local}"
suite="${STANDIN_BASE_SUITE:-bookworm}"
node_bin="$(readlink -f "$(command -v node)")"
node_version="$("$node_bin" --version)"
cache="${STANDIN_BASE_CACHE:-/var/tmp/standin-base}"
tarball="$cache/debian-$suite-node-$node_version.tar"

# The first deb822 `URIs:` or one-line `deb URL suite` entry naming a Debian archive (not -security).
mirror() {
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')"
  [ -n "$uri" ] || uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '/^deb / && $2 !~ /security/ { print $2; exit }')"
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ ! -s "$tarball" ]; then
  mkdir -p "$cache"
  root="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$root"' EXIT
  echo "local base: debootstrap $suite from $(mirror) (first run only, cached in $tarball)" >&2
  timeout 900 debootstrap --variant=minbase "$suite" "$root" "$(mirror)" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
  npm_dir="$(dirname "$node_bin")/../lib/node_modules/npm"
  install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$(readlink -f "$npm_dir")" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
fi
# Imported once per tarball: a new import would be a new image, and every build on it would miss the cache.
label="$(basename "$tarball")"
if [ "$(docker image inspect -f '{{ index .Config.Labels "standin.base" }}' "$tag" 2>/dev/null)" != "$label" ]; then
  docker import --change "LABEL standin.base=$label" --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' "$tarball" "$tag" >/dev/null
fi
echo "$tag"
