// The dashboard's timeline in Debian's chromium (playwright-core), against a real control plane and
// an http twin driven over real HTTP (pipelined on plain sockets, so that the client is not the limit): (1) 100,000 journal events paged into the page and all of them in
// view, the draw time of a frame; (2) 1,000 events/s arriving on the live stream, the frame interval
// and draw time while they do, and how far behind the page is at the end. Frame figures come from
// the page itself (performance.now() around each draw, requestAnimationFrame intervals). Also the
// first contentful paint of /ui from a warm server. Skipped (one row saying so) without chromium.
import { connect } from 'node:net';
import { DEFAULT_LIMITS, silentLogger } from '../src/core/index.ts';
import { startStandin } from '../src/server-process.ts';
import { chromiumPath, launchChromium } from '../test/ui/browser.ts';
import { percentile, type Bench, type BenchRow } from './bench-row.ts';

const HISTORY = Number(process.env.BENCH_DASHBOARD_EVENTS ?? 100_000);
const LIVE_RATE = 1000;
const LIVE_SECONDS = 10;

const bench: Bench = async () => {
  if (chromiumPath === undefined) return [{ name: 'dashboard: not run — no chromium executable (apt-get install chromium)', unit: '', standin: NaN }];
  const server = await startStandin({ port: 0, log: silentLogger, limits: { ...DEFAULT_LIMITS, journalBytes: 1024 * 1024 * 1024 } });
  const browser = await launchChromium();
  try {
    const created = await fetch(`${server.url}/environments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench',
        journalCapacity: 400_000,
        twins: { api: { kind: 'http', stubs: [{ request: { method: 'GET', path: '/ping' }, response: { status: 200, body: 'pong' } }] } },
      }),
    });
    const env = (await created.json()) as { id: string; token: string; twins: { api: { endpoints: { url: string } } } };
    const auth = { authorization: `Bearer ${env.token}`, 'content-type': 'application/json' };
    // One request in 50 answered 503 by a rule: faults among the marks, as in a real run.
    await fetch(`${server.url}/environments/${env.id}/faults`, { method: 'POST', headers: auth, body: JSON.stringify({ id: 'flaky', twin: 'api', point: 'request', action: { error: { status: 503 } }, trigger: { every: 50 } }) });
    const ping = `${env.twins.api.endpoints.url}/ping`;
    const lastSeq = async () => ((await (await fetch(`${server.url}/environments/${env.id}/journal?limit=1`, { headers: auth })).json()) as { lastSeq: number }).lastSeq;

    // 1. History: requests until the journal holds HISTORY events (one event per request, each fault two).
    const benchStart = performance.now();
    // Pipelined on 8 keep-alive connections: fetch's own overhead would make this the slow part.
    await Promise.all(Array.from({ length: 8 }, () => pipelined(ping, HISTORY / 8)));
    const historyEvents = await lastSeq();
    const progress = (what: string) => process.stderr.write(`dashboard bench: ${what} (${((performance.now() - benchStart) / 1000).toFixed(0)} s)\n`);
    progress(`${historyEvents} events in the journal`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/ui#env=${env.id}`);
    const paint = () => page.evaluate(() => (globalThis as any).performance.getEntriesByName('first-contentful-paint')[0]?.startTime as number);
    const kindsListed = () => page.waitForFunction(() => (globalThis as any).document.querySelector('#new-env-kinds')?.textContent.includes('http'));
    const firstPaint = await paint();
    // Warm as in the browser test: once the first load's GET /kinds (which loads every twin kind on
    // the server) has answered; the median of three reloads.
    await kindsListed();
    const warmRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.reload();
      warmRuns.push(await paint());
      await kindsListed();
    }
    const warmPaint = [...warmRuns].sort((a, b) => a - b)[1]!;
    await page.fill('#env-token', env.token);
    await page.click('#token-form button[type=submit]');
    await page.waitForFunction(() => (globalThis as any).standinDashboard?.store.count > 0, undefined, { timeout: 600_000 });
    progress('the newest page in');

    const pagedStart = performance.now();
    await page.evaluate(async (total: number) => {
      const g = globalThis as any;
      const button = g.document.getElementById('t-older');
      while (g.standinDashboard.store.count < total) {
        if (!button.disabled) button.click();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }, Math.min(historyEvents, HISTORY));
    const pagedMs = performance.now() - pagedStart;
    progress('history paged in');

    // Everything in view, then the draw time of frames (forced: the view is invalidated each frame).
    const full = await page.evaluate(async () => {
      const g = globalThis as any;
      const { store, timeline } = g.standinDashboard;
      timeline.setFollow(false);
      const first = store.time[store.start];
      const last = store.time[store.end - 1];
      timeline.span = (last - first) * 1.02 + 1;
      timeline.right = last + timeline.span * 0.01;
      const draws: number[] = [];
      for (let k = 0; k < 60; k++) {
        timeline.invalidate();
        await new Promise((resolve) => g.requestAnimationFrame(resolve));
        draws.push(timeline.lastFrameMs);
      }
      return { draws, inView: timeline.inView, count: store.count, heapMB: g.performance.memory ? g.performance.memory.usedJSHeapSize / 1e6 : NaN };
    });

    // 2. Live: LIVE_RATE requests per second for LIVE_SECONDS, the page following with a minute in view.
    // A string: tsx would wrap a named function here in a helper the page does not have.
    await page.evaluate(`(() => {
      const { timeline } = standinDashboard;
      timeline.span = 60000;
      timeline.setFollow(true);
      window.benchFrames = { intervals: [], draws: [], last: performance.now(), on: true };
      const tick = (now) => {
        const f = window.benchFrames;
        f.intervals.push(now - f.last);
        f.draws.push(timeline.lastFrameMs);
        f.last = now;
        if (f.on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    progress('frames drawn with everything in view');
    const liveStart = await lastSeq();
    const started = performance.now();
    const tickMs = 50;
    for (let t = 0; t < (LIVE_SECONDS * 1000) / tickMs; t++) {
      const due = started + (t + 1) * tickMs;
      await pipelined(ping, (LIVE_RATE * tickMs) / 1000);
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const liveSeconds = (performance.now() - started) / 1000;
    const liveEnd = await lastSeq();
    const live = await page.evaluate(() => {
      const g = globalThis as any;
      g.benchFrames.on = false;
      return { intervals: g.benchFrames.intervals.slice(1) as number[], draws: g.benchFrames.draws as number[], lastSeq: g.standinDashboard.store.lastSeq as number };
    });
    // Connections closing after liveEnd was read add events the page may already hold: never below 0.
    const behind = Math.max(0, liveEnd - live.lastSeq);

    const sort = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const draws = sort(full.draws);
    const intervals = sort(live.intervals);
    const liveDraws = sort(live.draws);
    const rows: BenchRow[] = [
      { name: 'dashboard /ui first contentful paint, first load', unit: 'ms', standin: Math.round(firstPaint) },
      { name: 'dashboard /ui first contentful paint, reload (warm server, median of 3)', unit: 'ms', standin: Math.round(warmPaint), goal: '≤ 300 ms', met: warmPaint <= 300 },
      { name: `timeline: ${full.count.toLocaleString('en')} events paged into the page`, unit: 's', standin: +(pagedMs / 1000).toFixed(1) },
      { name: `timeline: draw p50, ${full.inView.toLocaleString('en')} events in view`, unit: 'ms', standin: +percentile(draws, 50).toFixed(2) },
      { name: `timeline: draw p95, ${full.inView.toLocaleString('en')} events in view`, unit: 'ms', standin: +percentile(draws, 95).toFixed(2), goal: '< 16.7 ms (60 fps)', met: percentile(draws, 95) < 16.7 },
      { name: 'timeline: JS heap with them loaded', unit: 'MB', standin: +full.heapMB.toFixed(0) },
      { name: 'live: events/s arriving (HTTP → twin → journal → SSE → page)', unit: 'events/s', standin: Math.round((liveEnd - liveStart) / liveSeconds), goal: `≥ ${LIVE_RATE}`, met: (liveEnd - liveStart) / liveSeconds >= LIVE_RATE * 0.95 },
      { name: 'live: frame interval p50', unit: 'ms', standin: +percentile(intervals, 50).toFixed(1) },
      { name: 'live: frame interval p95', unit: 'ms', standin: +percentile(intervals, 95).toFixed(1), goal: '≤ 33 ms (30 fps or better)', met: percentile(intervals, 95) <= 33 },
      { name: 'live: draw p95', unit: 'ms', standin: +percentile(liveDraws, 95).toFixed(2) },
      { name: 'live: events not yet in the page at the end', unit: 'events', standin: behind },
    ];
    return rows;
  } finally {
    await browser.close();
    await server.close();
  }
};
export default bench;

/** `count` GET requests written 500 at a time on one connection; resolves once every answer is in. */
function pipelined(url: string, count: number): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  const request = `GET ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let sent = 0;
    let answered = 0;
    let tail = '';
    const sendBatch = (): void => {
      const n = Math.min(500, count - sent);
      sent += n;
      socket.write(request.repeat(n));
    };
    socket.on('connect', sendBatch);
    socket.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      answered += text.split('HTTP/1.1 ').length - 1;
      tail = text.slice(-8);
      if (answered >= count) {
        socket.end();
        resolve();
      } else if (answered === sent) sendBatch();
    });
    socket.on('error', reject);
  });
}
