#!/usr/bin/env bash
# The npm package as a user gets it: `npm pack`, the tarball installed into an empty project (its
# dependencies from the registry), then the CLI through npx, the SDK from plain node (import and
# require), startServer() in-process, and a TypeScript consumer through `tsc --noEmit`.
# Usage: bash scripts/check-package.sh   (prints "package check: ok — <tarball> <size>" last)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d -t standin-package.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package check: FAILED — $*" >&2; exit 1; }

# 1. Pack (prepack builds dist/ with tsconfig.build.json).
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
tgz="$work/$tarball"
[ -f "$tgz" ] || fail "npm pack wrote no tarball"
listing=$(tar tzf "$tgz")
if grep -Eq '^package/(test|bench|scenarios|scripts|src|twins|docker|reports)/|\.test\.|\.ts$' <<<"$(grep -v '\.d\.ts$' <<<"$listing")"; then
  fail "the tarball holds more than what runs: $(grep -v '\.d\.ts$' <<<"$listing" | grep -E '^package/(test|bench|scenarios|scripts|src|twins|docker|reports)/|\.test\.|\.ts$' | head -5 | tr '\n' ' ')"
fi
grep -q '^package/dist/src/sdk/index.js$' <<<"$listing" || fail "no dist/src/sdk/index.js in the tarball"
grep -q '^package/dist/src/sdk/index.d.ts$' <<<"$listing" || fail "no dist/src/sdk/index.d.ts in the tarball"
grep -q '^package/dist/ui/public/index.html$' <<<"$listing" || fail "no dashboard (dist/ui/public/index.html) in the tarball"

# 2. An empty project; the tarball and TypeScript for the consumer check. npm's warnings are kept:
#    a fresh install on Node 20 must not warn EBADENGINE.
cd "$work"
mkdir consumer && cd consumer
npm init -y >/dev/null
npm install --no-audit --no-fund "$tgz" typescript@5 @types/node@20 >install.log 2>&1 || { cat install.log; fail "npm install of the tarball"; }
if grep -q EBADENGINE install.log; then grep -A3 EBADENGINE install.log | head -20; fail "npm install warned EBADENGINE"; fi
[ ! -d node_modules/tsx ] || fail "tsx was installed: the package must run from dist/ without it"

# 3. The CLI.
npx --no-install standin --help | grep -q 'standin serve' || fail "npx standin --help"
npx --no-install standin up --help | grep -q 'standin up' || fail "npx standin up --help"
npx --no-install standin --version | grep -qx "$(node -p "require('$root/package.json').version")" || fail "npx standin --version"

# The bin npx runs, started directly: the signal below must reach standin, not npx.
./node_modules/.bin/standin serve --port 0 >serve.log 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' serve.log | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat serve.log; fail "npx standin serve printed no URL"; }
# The body is read whole before grep: `curl | grep -q` under pipefail fails when grep stops reading
# early and curl, still writing a large body, gets SIGPIPE.
answers() { local body; body=$(curl -sf "$1") && grep -qF -- "$2" <<<"$body"; }
answers "$url/health" '"status":"ok"' || fail "GET $url/health"
answers "$url/ui" '<title>Standin dashboard</title>' || fail "GET $url/ui (the dashboard, from dist/ui/public)"
answers "$url/ui/timeline.js" 'export class Timeline' || fail "GET $url/ui/timeline.js"

# 4. The SDK from plain node: ESM import and require, against that server.
cat >sdk.mjs <<'JS'
import { Standin, StandinClient } from 'standin';
const client = new StandinClient({ url: process.argv[2] });
const env = await Standin.environment()
  .withTwin('weather', { kind: 'http', stubs: [{ request: { method: 'GET', path: '/forecast/:city' }, response: { status: 200, body: { city: '{{request.params.city}}' } } }] })
  .start(client);
try {
  const body = await (await fetch(`${env.twins.weather.endpoints.url}/forecast/oslo`)).json();
  if (body.city !== 'oslo') throw new Error(`esm: the stub answered ${JSON.stringify(body)}`);
} finally {
  await env.destroy();
}
console.log('sdk esm: ok');
JS
cat >sdk.cjs <<'JS'
const { StandinClient, StandinApiError } = require('standin');
(async () => {
  const client = new StandinClient({ url: process.argv[2] });
  const env = await client.environments.create({ twins: { api: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] } } });
  try {
    const text = await (await fetch(`${env.twins.api.endpoints.url}/ping`)).text();
    if (text !== 'pong') throw new Error(`cjs: the stub answered ${text}`);
  } finally {
    await env.destroy();
  }
  if (typeof StandinApiError !== 'function') throw new Error('cjs: no StandinApiError');
  console.log('sdk cjs: ok');
})().catch((error) => { console.error(error); process.exit(1); });
JS
cat >server.mjs <<'JS'
import { startServer } from 'standin/server';
import { StandinClient } from 'standin';
const server = await startServer();
const health = await new StandinClient({ url: server.url }).health();
await server.close();
if (health.status !== 'ok') throw new Error(`startServer: ${JSON.stringify(health)}`);
console.log('startServer: ok');
JS
node sdk.mjs "$url" || fail "SDK through import"
node sdk.cjs "$url" || fail "SDK through require"
node server.mjs || fail "startServer() from standin/server"

# 5. SIGTERM stops the server cleanly.
kill -TERM "$server_pid"
wait "$server_pid" || { cat serve.log; fail "standin serve exited non-zero on SIGTERM"; }
server_pid=

# 6. up (a scenario file's twins until a signal) and mcp (answering initialize on stdio).
cat >api.yaml <<'YAML'
name: api
twins:
  api: { kind: http, stubs: [{ request: { method: GET, path: /ping }, response: { status: 200, body: pong } }] }
run: { command: "true" }
YAML
./node_modules/.bin/standin up api.yaml >up.log 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'is up' up.log && break; sleep 0.1; done
twin=$(grep -o 'url: http://127\.0\.0\.1:[0-9]*' up.log | head -1 | cut -d' ' -f2)
[ -n "$twin" ] && [ "$(curl -sf "$twin/ping")" = pong ] || { cat up.log; fail "npx standin up: the twin did not answer"; }
kill -INT "$server_pid"
wait "$server_pid" || { cat up.log; fail "standin up exited non-zero on SIGINT"; }
server_pid=
initialize='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"check","version":"0"}}}'
answer=$( (echo "$initialize"; sleep 5) | timeout 30 ./node_modules/.bin/standin mcp 2>mcp.log | head -1 || true)
grep -q '"serverInfo"' <<<"$answer" || { cat mcp.log; fail "npx standin mcp did not answer initialize: $answer"; }

# 7. A TypeScript consumer, typed through the package's .d.ts.
cat >consumer.ts <<'TS'
import { Standin, StandinClient, StandinApiError, type EnvironmentHandle, type JournalEvent } from 'standin';
import { startServer, type RunningServer } from 'standin/server';

export async function check(): Promise<number> {
  const server: RunningServer = await startServer({ port: 0 });
  const client = new StandinClient({ url: server.url });
  const env: EnvironmentHandle = await Standin.environment().withSeed(7).withTwin('api', { kind: 'http' }).start(client);
  const events: JournalEvent[] = (await env.journal.query({ twin: 'api' })).events;
  const seed: number = env.seed;
  await env.destroy();
  await server.close();
  try {
    await client.health();
  } catch (error) {
    if (error instanceof StandinApiError) return error.statusCode;
  }
  return events.length + seed;
}
TS
cat >tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "lib": ["ES2023", "ESNext.Disposable"], "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "types": ["node"] }, "files": ["consumer.ts"] }
JSON
npx --no-install tsc --noEmit -p . || fail "tsc --noEmit of a TypeScript consumer"

size=$(du -h "$tgz" | cut -f1)
unpacked=$(tar tzvf "$tgz" | awk '{ s += $3 } END { printf "%.1f MB", s / 1e6 }')
echo "package check: ok — $tarball $size packed, $unpacked unpacked, $(wc -l <<<"$listing") files (CLI, serve + SIGTERM, up, mcp, SDK import/require, startServer, tsc consumer)"
