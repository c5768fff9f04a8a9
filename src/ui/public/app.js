// The dashboard: environments on the left; for the one picked, its timeline, twins and fault rules.
// Everything comes from the control API (REST and the journal stream) with the token the person
// pasted; see api.js for where tokens are kept.

import { ApiError, api, envPath, tokens } from './api.js';
import { copyButton, h } from './dom.js';
import { clearFieldErrors, environmentSpec, showFieldError } from './env-form.js';
import { EventStore } from './event-store.js';
import { followJournal } from './journal-stream.js';
import { buildRuleForm } from './rule-form.js';
import { stateView } from './state-view.js';
import { Timeline } from './timeline.js';

/** Events per history request: big enough to fill a screen, small enough to parse in a frame or two. */
const PAGE = 5000;
const REFRESH_MS = 2000;

const $ = (id) => document.getElementById(id);
const state = { envs: [], faultCounts: new Map(), selected: undefined, open: undefined, kinds: undefined, runs: [] };

// ---------------------------------------------------------------- environments

async function refreshEnvs() {
  try {
    const { environments } = await api('GET', '/environments', { token: tokens.admin() });
    state.envs = environments;
    $('envs-status').textContent = environments.length ? '' : 'No environments yet: create one below, or through the API, the SDK or `standin up`.';
    await Promise.all(
      environments.map(async (env) => {
        const token = tokens.forEnv(env.id);
        if (!token) return;
        try {
          state.faultCounts.set(env.id, (await api('GET', envPath(env.id, '/faults'), { token })).rules.length);
        } catch {
          state.faultCounts.delete(env.id);
        }
      }),
    );
  } catch (error) {
    state.envs = [];
    $('envs-status').textContent = error instanceof ApiError && error.status === 401 ? 'This server needs its admin token to list environments (top right).' : `Cannot list environments: ${error.message}`;
  }
  renderEnvs();
  if (state.open && !state.envs.some((e) => e.id === state.open.id) && !$('envs-status').textContent.includes('admin')) {
    $('t-status').textContent = 'This environment no longer exists.';
  }
}

function renderEnvs() {
  const now = Date.now();
  const rows = state.envs.map((env) => {
    const twins = Object.keys(env.twins).length;
    const faults = state.faultCounts.get(env.id);
    const name = h('button', { type: 'button', class: 'link', 'aria-current': env.id === state.selected ? 'true' : undefined, title: env.id }, env.name ?? env.id);
    name.addEventListener('click', () => selectEnv(env.id));
    return h('tr', { class: env.id === state.selected ? 'current' : undefined, 'data-env': env.id }, [
      h('td', {}, name),
      h('td', {}, duration(now - Date.parse(env.createdAt))),
      h('td', {}, env.expiresAt ? duration(Date.parse(env.expiresAt) - now) : '—'),
      h('td', { class: 'num' }, String(twins)),
      h('td', { class: 'num', title: faults === undefined ? 'paste its token to see' : undefined }, faults === undefined ? '·' : String(faults)),
    ]);
  });
  $('envs-table').tBodies[0].replaceChildren(...rows);
}

function selectEnv(id) {
  if (state.selected === id && state.open) return;
  closeEnv();
  state.selected = id;
  history.replaceState(null, '', `#env=${encodeURIComponent(id)}`);
  renderEnvs();
  $('pick').hidden = true;
  $('env').hidden = false;
  const summary = state.envs.find((e) => e.id === id);
  $('env-title').textContent = summary?.name ?? id;
  $('env-meta').textContent = id;
  const token = tokens.forEnv(id);
  if (token) void openEnv(id, token);
  else showTokenForm();
}

function showTokenForm(message = '') {
  $('env-body').hidden = true;
  $('token-form').hidden = false;
  $('token-error').textContent = message;
  $('env-token').value = '';
  $('env-token').focus();
}

$('token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('env-token').value.trim();
  if (!token) return;
  try {
    await api('GET', envPath(state.selected), { token });
  } catch (error) {
    $('token-error').textContent = error.message;
    return;
  }
  tokens.setEnv(state.selected, token);
  $('env-token').value = '';
  $('token-form').hidden = true;
  void openEnv(state.selected, token);
});

$('env-forget').addEventListener('click', () => {
  tokens.setEnv(state.selected, undefined);
  const id = state.selected;
  closeEnv();
  state.selected = undefined;
  selectEnv(id);
});

// ---------------------------------------------------------------- one environment

async function openEnv(id, token) {
  $('t-status').textContent = 'loading…';
  let view;
  try {
    view = await api('GET', envPath(id), { token });
  } catch (error) {
    if (error.status === 401) tokens.setEnv(id, undefined);
    showTokenForm(error.message);
    return;
  }
  state.kinds ??= (await kindsOnce()).kinds;
  // Another environment picked meanwhile: that one's openEnv owns the page now.
  if (state.selected !== id || state.open) return;
  const store = new EventStore();
  const timeline = new Timeline($('timeline'), $('t-tip'), store, {
    onSelect: (e) => void showEvent(e),
    onViewChange: () => maybeLoadOlder(),
    onFollowChange: (follow) => ($('f-follow').checked = follow),
  });
  timeline.setLanes(Object.keys(view.twins));
  const open = (state.open = { id, token, view, store, timeline, dropped: 0, loadingOlder: false, statusAt: 0 });
  // For the bench and the browser test: the live objects, read-only by convention.
  window.standinDashboard = { store, timeline };

  $('token-form').hidden = true;
  $('env-body').hidden = false;
  $('env-title').textContent = view.name ?? view.id;
  $('env-meta').textContent = `${view.id} · seed ${view.seed} · created ${new Date(view.createdAt).toLocaleTimeString()}${view.expiresAt ? ` · expires ${new Date(view.expiresAt).toLocaleTimeString()}` : ''}`;
  renderTwins(open);
  buildRuleForm($('rule-form'), Object.fromEntries(Object.entries(view.twins).map(([n, t]) => [n, t.kind])), state.kinds, async (rule) => {
    await api('POST', envPath(id, '/faults'), { token, body: rule });
    await refreshRules(open);
  });
  void refreshRules(open);

  // The newest page of history first, then the live stream from just after it.
  const head = await api('GET', envPath(id, '/journal?limit=1'), { token });
  open.dropped = head.dropped;
  const since = Math.max(head.dropped, head.lastSeq - PAGE);
  if (head.lastSeq > since) {
    const page = await api('GET', envPath(id, `/journal?since=${since}&limit=${head.lastSeq - since}`), { token });
    store.append(page.events);
  }
  if (store.count) {
    const first = store.time[store.start];
    const last = store.time[store.end - 1];
    timeline.noteArrival(last);
    timeline.span = Math.min(Math.max(30_000, (last - first) * 1.2), 864e5);
  }
  if (state.open !== open) return;
  updateFilters(open);
  open.stop = followJournal(envPath(id), token, store.lastSeq ?? head.lastSeq, {
    onEvents: (events) => {
      store.append(events);
      timeline.noteArrival(events[events.length - 1].time);
      if (events.some((e) => e.type === 'fault' || e.fault)) void refreshRules(open, true);
      updateFilters(open);
    },
    onState: (s) => (open.streamState = s),
  });
  open.statusTimer = setInterval(() => updateStatus(open), 250);
  // Rules added or removed by other clients (the SDK, a scenario, curl) show up too.
  open.rulesTimer = setInterval(() => void refreshRules(open), REFRESH_MS);
}

function closeEnv() {
  const open = state.open;
  if (!open) return;
  open.stop?.();
  clearInterval(open.statusTimer);
  clearInterval(open.rulesTimer);
  open.timeline.destroy();
  state.open = undefined;
  resetFilters();
  $('event-detail').replaceChildren('Click a mark on the timeline.');
}

function updateStatus(open) {
  const { store, timeline } = open;
  const older = store.count && store.firstSeq - 1 > open.dropped;
  $('t-older').disabled = !older || open.loadingOlder;
  $('t-status').textContent = `${store.count.toLocaleString()} events loaded${older ? ' (older ones on the server)' : ''} · ${(timeline.inView ?? 0).toLocaleString()} in view · ${timeline.follow ? open.streamState ?? 'live' : 'paused'}`;
}

/** Older history, a page at a time, when asked or when the view reaches before the first event held. */
async function loadOlder(open) {
  const { store } = open;
  if (open.loadingOlder || !store.count) return;
  const before = store.firstSeq - 1; // the newest seq not held yet
  if (before <= open.dropped) return;
  open.loadingOlder = true;
  try {
    const since = Math.max(open.dropped, before - PAGE);
    const page = await api('GET', envPath(open.id, `/journal?since=${since}&limit=${before - since}`), { token: open.token });
    open.dropped = page.dropped;
    store.prepend(page.events.filter((e) => e.seq <= before));
    updateFilters(open);
  } finally {
    open.loadingOlder = false;
    updateStatus(open);
  }
}

function maybeLoadOlder() {
  const open = state.open;
  if (!open || open.timeline.follow || !open.store.count) return;
  if (open.timeline.visible.from < open.store.time[open.store.start]) void loadOlder(open);
}

$('t-older').addEventListener('click', () => state.open && void loadOlder(state.open));
$('f-follow').addEventListener('change', (e) => state.open?.timeline.setFollow(e.target.checked));

// ---------------------------------------------------------------- timeline filters and detail

const FILTERS = { 'f-twin': 'twins', 'f-point': 'points', 'f-type': 'types', 'f-rule': 'rules' };

function updateFilters(open) {
  for (const [id, dict] of Object.entries(FILTERS)) {
    const select = $(id);
    const names = open.store[dict].names;
    if (select.options.length === names.length) continue; // "all" + one per name: nothing new
    for (let k = select.options.length; k < names.length; k++) select.append(h('option', { value: String(k) }, names[k]));
  }
}

function resetFilters() {
  for (const id of Object.keys(FILTERS)) {
    const select = $(id);
    select.replaceChildren(h('option', { value: '0' }, 'all'));
  }
}

for (const id of Object.keys(FILTERS)) {
  $(id).addEventListener('change', () => {
    state.open?.timeline.setFilter({ twin: Number($('f-twin').value), point: Number($('f-point').value), type: Number($('f-type').value), rule: Number($('f-rule').value) });
  });
}

async function showEvent(summary) {
  const open = state.open;
  const box = $('event-detail');
  box.replaceChildren(h('p', {}, `#${summary.seq} ${summary.summary}`));
  try {
    const { events } = await api('GET', envPath(open.id, `/journal?since=${summary.seq - 1}&limit=1`), { token: open.token });
    const event = events[0];
    if (!event) return;
    box.replaceChildren(
      h('p', { class: event.fault ? 'fault' : undefined }, [
        h('strong', {}, `#${event.seq} ${event.twin} · ${event.type}${event.point ? ` @ ${event.point}` : ''}`),
        ` ${new Date(event.time).toISOString().slice(11, 23)} — ${event.summary}`,
        event.fault ? h('span', { class: 'badge fault' }, ` rule ${event.fault.rule} → ${event.fault.action}`) : '',
      ]),
      event.data ? stateView(event.data) : '',
    );
  } catch (error) {
    box.append(h('p', { class: 'error' }, error.message));
  }
}

// ---------------------------------------------------------------- twins

function renderTwins(open) {
  const cards = Object.entries(open.view.twins).map(([name, twin]) => {
    const inspectBox = h('div', { class: 'inspect' });
    const inspect = h('button', { type: 'button' }, 'Inspect state');
    inspect.addEventListener('click', async () => {
      inspectBox.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
      try {
        const { state: twinState } = await api('GET', envPath(open.id, `/twins/${encodeURIComponent(name)}`), { token: open.token });
        inspectBox.replaceChildren(stateView(twinState));
        inspect.textContent = 'Refresh state';
      } catch (error) {
        inspectBox.replaceChildren(h('p', { class: 'error' }, error.message));
      }
    });
    const exports = Object.entries(twin.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
    return h('article', { class: 'twin', 'data-twin': name }, [
      h('h3', {}, [name, ' ', h('span', { class: 'badge' }, twin.kind)]),
      h('h4', {}, 'Endpoints'),
      h('dl', { class: 'kv' }, Object.entries(twin.endpoints).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, [h('code', {}, v), ' ', copyButton(v, `${name} ${k}`)])])),
      h('h4', {}, ['Env for the system under test ', copyButton(exports.join('\n'), `all env vars of ${name}`)]),
      h('ul', { class: 'plain' }, exports.map((line, k) => h('li', {}, [h('code', {}, line), ' ', copyButton(line, Object.keys(twin.env)[k])]))),
      inspect,
      inspectBox,
    ]);
  });
  const all = Object.entries(open.view.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n');
  $('twins').replaceChildren(h('p', {}, ["Every twin's env at once ", copyButton(all, 'the whole environment')]), ...cards);
}

function shellQuote(value) {
  return /^[A-Za-z0-9_./:@,+=-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------- fault rules

async function refreshRules(open, throttled = false) {
  if (throttled) {
    if (open.rulesPending) return;
    open.rulesPending = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
    open.rulesPending = false;
  }
  if (state.open !== open) return;
  let rules;
  try {
    ({ rules } = await api('GET', envPath(open.id, '/faults'), { token: open.token }));
  } catch {
    return;
  }
  state.faultCounts.set(open.id, rules.length);
  // The timeline marks each rule's arrival and, for rules gone since the last look, its removal.
  open.ruleMarks ??= new Map();
  const now = Date.now() + open.timeline.clockOffset;
  for (const rule of rules) open.ruleMarks.set(`+${rule.id}@${rule.createdAt}`, { time: rule.createdAt, label: `+${rule.id}` });
  for (const id of open.ruleIds ?? []) {
    if (!rules.some((r) => r.id === id)) open.ruleMarks.set(`-${id}@${now}`, { time: now, label: `−${id}` });
  }
  open.ruleIds = rules.map((r) => r.id);
  open.timeline.setRuleMarks([...open.ruleMarks.values()]);
  const rows = rules.map((rule) => {
    const remove = h('button', { type: 'button', 'aria-label': `Remove rule ${rule.id}` }, 'Remove');
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      try {
        await api('DELETE', envPath(open.id, `/faults/${encodeURIComponent(rule.id)}`), { token: open.token });
      } finally {
        await refreshRules(open);
      }
    });
    const [action, params] = Object.entries(rule.action)[0] ?? ['', {}];
    return h('tr', { 'data-rule': rule.id }, [
      h('td', {}, h('code', {}, rule.id)),
      h('td', {}, rule.twin),
      h('td', {}, rule.point),
      h('td', {}, compact(rule.match)),
      h('td', {}, [h('strong', {}, action), ' ', compact(params)]),
      h('td', {}, compact(rule.trigger)),
      h('td', { class: 'num' }, String(rule.matched)),
      h('td', { class: 'num' }, String(rule.fired)),
      h('td', {}, remove),
    ]);
  });
  $('rules-table').tBodies[0].replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '9', class: 'muted' }, 'No rules: every event gets the twin’s normal behaviour.'))]));
  renderEnvs();
}

function compact(value) {
  const text = value && Object.keys(value).length ? JSON.stringify(value) : '';
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

// ---------------------------------------------------------------- new environment

// Creating needs what the API's POST /environments needs (the admin token when the server has one);
// the answer's token is kept as a pasted one is, and the new environment opened.
$('env-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = $('env-form');
  const general = $('env-form-error');
  clearFieldErrors(form);
  general.textContent = '';
  let created;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    created = await api('POST', '/environments', { token: tokens.admin(), body: environmentSpec(form) });
  } catch (error) {
    showFieldError(form, general, error.message);
    return;
  } finally {
    button.disabled = false;
  }
  tokens.setEnv(created.id, created.token);
  for (const input of form.querySelectorAll('[data-path]')) input.value = '';
  await refreshEnvs();
  selectEnv(created.id);
});

/** The kinds the server has, as a hint under the twins box. */
function showKinds(kinds) {
  $('new-env-kinds').textContent = `Kinds: ${kinds.map((k) => k.kind).join(', ')}`;
}

// ---------------------------------------------------------------- scenario runs

$('run-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('run-text').value;
  if (!text.trim()) return;
  const run = { started: new Date(), status: 'running' };
  state.runs.unshift(run);
  renderRuns();
  try {
    run.report = await api('POST', '/scenarios/run', { token: tokens.admin(), body: { scenario: text } });
    run.status = run.report.status;
  } catch (error) {
    run.status = 'error';
    run.error = error.message;
  }
  renderRuns();
});

/** The runs started from this page (the API answers a run with its report and keeps no list). */
function renderRuns() {
  $('runs-list').replaceChildren(
    ...state.runs.map((run) => {
      const r = run.report;
      return h('li', { class: `run ${run.status}` }, [
        h('strong', {}, r?.name ?? 'scenario'),
        ' ',
        h('span', { class: `badge ${run.status}` }, run.status),
        r ? h('span', { class: 'muted small' }, ` seed ${r.seed} · ${Math.round(r.durationMs)} ms`) : '',
        run.error || r?.error ? h('p', { class: 'error' }, run.error ?? r.error) : '',
        r ? h('ul', { class: 'plain' }, r.expectations.map((x) => h('li', { class: x.passed ? 'pass' : 'fail' }, `${x.passed ? '✓' : '✗'} ${x.name}: expected ${x.expected}${x.passed ? '' : `, observed ${x.observed}`}`))) : '',
        r ? h('p', {}, [h('code', {}, r.replay), ' ', copyButton(r.replay, 'the replay command')]) : '',
      ]);
    }),
  );
}

// ---------------------------------------------------------------- tabs, admin token, start

const tabs = [...document.querySelectorAll('[role=tab]')];
function showTab(tab) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !selected;
  }
  if (tab.id === 'tab-timeline') state.open?.timeline.invalidate();
  if (tab.id === 'tab-faults' && state.open) void refreshRules(state.open);
}
for (const tab of tabs) {
  tab.addEventListener('click', () => showTab(tab));
  tab.addEventListener('keydown', (e) => {
    const k = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!k) return;
    const next = tabs[(tabs.indexOf(tab) + k + tabs.length) % tabs.length];
    next.focus();
    showTab(next);
  });
}

$('admin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  tokens.setAdmin($('admin-token').value.trim());
  $('admin-token').value = '';
  renderAdmin();
  void refreshEnvs();
});
$('admin-forget').addEventListener('click', () => {
  tokens.setAdmin(undefined);
  renderAdmin();
  void refreshEnvs();
});
function renderAdmin() {
  const set = Boolean(tokens.admin());
  $('admin-forget').hidden = !set;
  $('admin-token').placeholder = set ? 'admin token set for this tab' : 'only if the server has one';
}

function duration(ms) {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** GET /kinds, asked once at start (its first answer loads every twin kind on the server: slow). */
let kindsRequest;
function kindsOnce() {
  kindsRequest ??= api('GET', '/kinds').catch((error) => {
    kindsRequest = undefined;
    throw error;
  });
  return kindsRequest;
}

async function start() {
  kindsOnce().then(({ kinds }) => showKinds(kinds), () => {});
  renderAdmin();
  resetFilters();
  api('GET', '/version').then((v) => ($('server-version').textContent = `v${v.version}`), () => {});
  await refreshEnvs();
  const fromHash = /^#env=(.+)$/.exec(location.hash)?.[1];
  if (fromHash) selectEnv(decodeURIComponent(fromHash));
  setInterval(refreshEnvs, REFRESH_MS);
}
void start();
