#!/usr/bin/env bash
# Builds the image (docker/Dockerfile) and smoke-tests it from this machine: the API and the twins'
# range published to 127.0.0.1, a postgres, kafka and http twin created and used by their clients
# (docker/smoke-image.mjs), then StandinContainer (test/container/standin-container.test.ts).
#
# Works offline: when the default base (node:20-bookworm-slim) cannot be pulled, docker/local-base.sh
# builds one with debootstrap and this machine's Node. As root it installs docker.io and debootstrap
# if missing and starts a daemon if none answers (stopped again at the end). When Docker cannot run
# here it prints one line, `image test: not run — <reason>`, and exits 0; any other failure exits 1.
# Env: STANDIN_IMAGE (tag, default standin:latest), STANDIN_BASE (a base image to use as is).
set -euo pipefail
cd "$(dirname "$0")/.."

image="${STANDIN_IMAGE:-standin:latest}"
default_base="node:20-bookworm-slim"
name="standin-image-test-$$"
started_dockerd=""
work="$(mktemp -d)"

not_run() {
  echo "image test: not run — $*"
  exit 0
}
say() { echo "image test: $*" >&2; }

cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  if [ -n "$started_dockerd" ]; then
    kill "$started_dockerd" 2>/dev/null || true
    # dockerd stops containerd with it; bounded, then forced.
    for _ in $(seq 1 40); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$started_dockerd" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

daemon_answers() { timeout 10 docker info >/dev/null 2>&1; }

# --- Docker and debootstrap ------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || not_run "${missing[*]} missing and not root (cannot apt-get install)"
  say "installing ${missing[*]}"
  { timeout 600 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}"; } >"$work/apt.log" 2>&1 ||
    not_run "apt-get install ${missing[*]} failed: $(tail -n 1 "$work/apt.log")"
fi

if ! daemon_answers; then
  [ "$(id -u)" = 0 ] || not_run "no Docker daemon answers and not root (cannot start dockerd)"
  # The default storage driver first; vfs where overlayfs is not allowed (nested containers).
  for flags in "" "--storage-driver=vfs"; do
    # shellcheck disable=SC2086 # flags: zero or one word
    dockerd $flags >"$work/dockerd.log" 2>&1 &
    started_dockerd=$!
    for _ in $(seq 1 60); do
      daemon_answers && break
      kill -0 "$started_dockerd" 2>/dev/null || break
      sleep 0.5
    done
    daemon_answers && break
    kill "$started_dockerd" 2>/dev/null || true
    wait "$started_dockerd" 2>/dev/null || true
    started_dockerd=""
  done
  if [ -z "$started_dockerd" ]; then
    reason="$(grep -E 'level=(fatal|error)|failed to start daemon' "$work/dockerd.log" | tail -n 1 | sed -E 's/.*msg="?([^"]*)"?.*/\1/')"
    not_run "dockerd cannot start here: ${reason:-no answer within 30 s}"
  fi
  say "started dockerd (pid $started_dockerd)"
fi

# --- Base and build --------------------------------------------------------------------------
t0=$SECONDS
if [ -n "${STANDIN_BASE:-}" ]; then
  base="$STANDIN_BASE"
elif docker image inspect "$default_base" >/dev/null 2>&1 || timeout 120 docker pull -q "$default_base" >/dev/null 2>&1; then
  base="$default_base"
else
  say "$default_base cannot be pulled: building a local base (debootstrap + this machine's Node)"
  [ "$(id -u)" = 0 ] || not_run "$default_base cannot be pulled and building a local base needs root"
  base="$(docker/local-base.sh standin-base:local)"
fi
say "base $base ready ($((SECONDS - t0)) s)"

# CA certificates added to this machine (a TLS-inspecting proxy's): npm in the build needs them too.
extra_ca="$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)"
t0=$SECONDS
if ! timeout 1800 docker build --network host -f docker/Dockerfile --build-arg "BASE=$base" --build-arg "EXTRA_CA_CERTS=$extra_ca" -t "$image" . >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2
  say "FAILED: docker build"
  exit 1
fi
say "built $image on $base ($((SECONDS - t0)) s, $(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1e6 }'))"

# --- Smoke test: published API and twin ports, real clients from here -------------------------
# A range free here, published to the same numbers, so endpoints (127.0.0.1:port, the image default) work as handed out.
read -r first last < <(node --input-type=module -e "
  import net from 'node:net';
  const free = (port) => new Promise((ok) => { const s = net.createServer(); s.once('error', () => ok(false)); s.listen({ port, exclusive: true }, () => s.close(() => ok(true))); });
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20000 + Math.floor(Math.random() * 40000);
    let all = true;
    for (let p = first; p < first + 10 && all; p++) all = await free(p);
    if (all) { console.log(first, first + 9); process.exit(0); }
  }
  process.exit(1);")
token="image-test-$RANDOM$RANDOM"
docker run -d --rm --name "$name" \
  -e STANDIN_ADMIN_TOKEN="$token" -e STANDIN_TWIN_PORTS="$first-$last" \
  -p 127.0.0.1::4510 -p "127.0.0.1:$first-$last:$first-$last" "$image" >/dev/null
api_port="$(docker port "$name" 4510/tcp | head -n 1 | sed 's/.*://')"
url="http://127.0.0.1:$api_port"

fail() {
  docker logs "$name" 2>&1 | tail -n 30 >&2 || true
  say "FAILED: $*"
  exit 1
}
# HEALTHCHECK: Docker itself must see the container healthy (node's fetch of /health inside).
t0=$SECONDS
for _ in $(seq 1 90); do
  [ "$(docker inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null)" = healthy ] && break
  sleep 1
done
[ "$(docker inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null)" = healthy ] || fail "not healthy within 90 s"
say "container healthy ($((SECONDS - t0)) s), API $url, twins $first-$last"
uid="$(docker exec "$name" id -u)" || fail "docker exec id -u"
[ "$uid" != 0 ] || fail "the server runs as root"

timeout 300 node docker/smoke-image.mjs "$url" "$token" || fail "smoke test (docker/smoke-image.mjs)"
docker rm -f "$name" >/dev/null

# --- Testcontainers module against the same image -------------------------------------------
STANDIN_IMAGE="$image" TESTCONTAINERS_RYUK_DISABLED=true timeout 600 \
  npx vitest run test/container/standin-container.test.ts --reporter=default ||
  fail "StandinContainer test"
say "passed"
