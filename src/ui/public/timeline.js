// The journal drawn on a canvas: one lane per twin, time left to right, faults in red with their
// rule and action. Each frame bins only the visible events (found by binary search on time) into one
// cell per pixel column per lane and draws the non-empty cells, so the cost of a frame follows the
// width of the window and the events in view, not the size of the journal: 100,000 events in view
// are one pass over typed arrays.

const AXIS = 22;
const GUTTER = 112;
const LANE = 34;
const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 3e4, 6e4, 12e4, 3e5, 6e5, 18e5, 36e5, 72e5, 216e5, 432e5, 864e5];
const COLORS = { axis: '#4a5568', grid: '#e2e8f0', lane: '#f7fafc', label: '#1a202c', event: [43, 108, 176], fault: '#c53030', rule: '#6b46c1', select: '#111' };

export class Timeline {
  constructor(canvas, tip, store, { onSelect, onViewChange, onFollowChange } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.tip = tip;
    this.store = store;
    this.onSelect = onSelect;
    this.onViewChange = onViewChange;
    this.onFollowChange = onFollowChange;
    this.lanes = [];
    this.laneOfTwin = new Int32Array(0);
    this.filter = { twin: 0, point: 0, type: 0, rule: 0 };
    this.span = 60_000;
    this.right = Date.now();
    this.follow = true;
    this.clockOffset = 0;
    this.hover = -1;
    this.selected = -1;
    this.drawn = -1;
    this.frames = 0;
    this.lastFrameMs = 0;
    this.bins = { counts: new Uint32Array(0), faults: new Int32Array(0) };
    this.bindInput();
    const loop = () => {
      if (!this.stopped) {
        this.frame();
        this.raf = requestAnimationFrame(loop);
      }
    };
    this.raf = requestAnimationFrame(loop);
  }

  destroy() {
    this.stopped = true;
    cancelAnimationFrame(this.raf);
    this.abortInput.abort();
  }

  setLanes(names) {
    this.lanes = [...names];
    this.laneOfTwin = new Int32Array(0);
    this.invalidate();
  }

  /** Rule changes, drawn as dashed lines across the lanes: [{time, label}]. */
  setRuleMarks(marks) {
    this.ruleMarks = marks;
    this.invalidate();
  }

  setFilter(filter) {
    this.filter = filter;
    this.invalidate();
  }

  setFollow(follow) {
    if (this.follow === follow) return;
    this.follow = follow;
    this.onFollowChange?.(follow);
    this.invalidate();
  }

  /** Called as events arrive: keeps the right edge at the server's "now" while following. */
  noteArrival(lastTime) {
    this.clockOffset = lastTime - Date.now();
  }

  invalidate() {
    this.drawn = -1;
  }

  get visible() {
    return { from: this.right - this.span, to: this.right };
  }

  /** The lane of each twin id, new twins (seen only in the journal) added below. */
  laneOf(twinId) {
    if (twinId >= this.laneOfTwin.length) {
      const next = new Int32Array(this.store.twins.names.length + 16).fill(-1);
      this.store.twins.names.forEach((name, id) => {
        if (id === 0) return;
        let lane = this.lanes.indexOf(name);
        if (lane < 0) lane = this.lanes.push(name) - 1;
        next[id] = lane;
      });
      this.laneOfTwin = next;
    }
    return this.laneOfTwin[twinId];
  }

  passes(i) {
    const { store, filter } = this;
    return (
      (!filter.twin || store.twin[i] === filter.twin) &&
      (!filter.point || store.point[i] === filter.point) &&
      (!filter.type || store.type[i] === filter.type) &&
      (!filter.rule || store.rule[i] === filter.rule)
    );
  }

  frame() {
    if (this.follow) {
      // "Now" a little in from the right edge, so that the newest marks and their labels show.
      const now = Date.now() + this.clockOffset + this.span * 0.04;
      if (now !== this.right) {
        this.right = Math.max(now, this.right);
        this.drawn = -1;
      }
    }
    // Nothing to draw while its tab is hidden; the next visible frame draws.
    if (this.drawn === this.store.version || this.canvas.offsetParent === null) return;
    const started = performance.now();
    this.draw();
    this.lastFrameMs = performance.now() - started;
    this.frames++;
    this.drawn = this.store.version;
    this.onViewChange?.(this.visible);
  }

  draw() {
    const { canvas, ctx, store } = this;
    // Lanes for every twin seen so far: touching laneOf for each id registers them.
    for (let id = 1; id < store.twins.names.length; id++) this.laneOf(id);
    const lanes = Math.max(1, this.lanes.length);
    const cssWidth = canvas.clientWidth || 800;
    const cssHeight = AXIS + lanes * LANE + 4;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.style.height !== `${cssHeight}px`) canvas.style.height = `${cssHeight}px`;
    if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
      canvas.width = Math.round(cssWidth * dpr);
      canvas.height = Math.round(cssHeight * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const width = Math.max(1, Math.floor(cssWidth - GUTTER));
    this.plot = { width, lanes, cssWidth, cssHeight };
    const { from, to } = this.visible;
    const pxPerMs = width / this.span;

    // Lanes and their names.
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (let l = 0; l < lanes; l++) {
      const y = AXIS + l * LANE;
      ctx.fillStyle = l % 2 ? '#fff' : COLORS.lane;
      ctx.fillRect(0, y, cssWidth, LANE);
      ctx.fillStyle = COLORS.label;
      ctx.fillText(clip(ctx, this.lanes[l] ?? '', GUTTER - 10), 6, y + LANE / 2);
    }
    this.drawAxis(from, pxPerMs, width);

    // Bin the visible events: counts per (lane, column); the last fault event per cell.
    const cells = lanes * width;
    if (this.bins.counts.length < cells) this.bins = { counts: new Uint32Array(cells), faults: new Int32Array(cells) };
    const { counts, faults } = this.bins;
    counts.fill(0, 0, cells);
    faults.fill(-1, 0, cells);
    const first = store.lowerBound(from);
    const last = store.lowerBound(to + 1e-6);
    const { time, twin, rule } = store;
    const filtered = this.filter.twin || this.filter.point || this.filter.type || this.filter.rule;
    let max = 0;
    let inView = 0;
    for (let i = first; i < last; i++) {
      if (filtered && !this.passes(i)) continue;
      const lane = this.laneOfTwin[twin[i]];
      const col = Math.min(width - 1, Math.floor((time[i] - from) * pxPerMs));
      const cell = lane * width + col;
      const n = ++counts[cell];
      if (n > max) max = n;
      if (rule[i]) faults[cell] = i;
      inView++;
    }
    this.inView = inView;

    // Ordinary events: a tick per column, darker where more events fall in it.
    const [r, g, b] = COLORS.event;
    const logMax = Math.log2(max + 1) || 1;
    for (let l = 0; l < lanes; l++) {
      const y = AXIS + l * LANE + 8;
      const row = l * width;
      for (let c = 0; c < width; c++) {
        const n = counts[row + c];
        if (!n) continue;
        ctx.fillStyle = `rgba(${r},${g},${b},${0.45 + 0.55 * (Math.log2(n + 1) / logMax)})`;
        ctx.fillRect(GUTTER + c, y, 2, LANE - 16);
      }
    }
    // Faults on top: a full-height red mark, and its rule and action where there is room for them.
    ctx.font = 'bold 11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    for (let l = 0; l < lanes; l++) {
      const y = AXIS + l * LANE;
      const row = l * width;
      let freeFrom = -Infinity;
      for (let c = 0; c < width; c++) {
        const i = faults[row + c];
        if (i < 0) continue;
        ctx.fillStyle = COLORS.fault;
        ctx.fillRect(GUTTER + c - 1, y + 2, 3, LANE - 4);
        const label = `${store.rules.names[rule[i]]} ${store.actions.names[store.action[i]]}`;
        // Right of the mark, or left of it near the right edge; skipped where it would overlap another.
        const w = ctx.measureText(label).width;
        const x = GUTTER + c + 4 + w < cssWidth ? GUTTER + c + 4 : GUTTER + c - 4 - w;
        if (x >= freeFrom && x >= GUTTER) {
          ctx.fillText(label, x, y + 2);
          freeFrom = x + w + 6;
        }
      }
    }
    // Rules added (+id) and removed (−id): the journal has no event for them, the page knows their times.
    ctx.font = '11px system-ui, sans-serif';
    for (const mark of this.ruleMarks ?? []) {
      if (mark.time < from || mark.time > to) continue;
      const x = Math.round(GUTTER + (mark.time - from) * pxPerMs) + 0.5;
      ctx.strokeStyle = COLORS.rule;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x, AXIS);
      ctx.lineTo(x, cssHeight);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = COLORS.rule;
      ctx.textBaseline = 'bottom';
      ctx.fillText(mark.label, x + 3, cssHeight - 2);
    }
    for (const [i, style] of [[this.selected, COLORS.select], [this.hover, COLORS.select]]) {
      if (i < store.start || i >= store.end) continue;
      const x = this.xOf(store.time[i]);
      const lane = this.laneOfTwin[twin[i]];
      if (x < GUTTER || x > cssWidth) continue;
      ctx.strokeStyle = style;
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 3, AXIS + lane * LANE + 2, 7, LANE - 4);
    }
  }

  drawAxis(from, pxPerMs, width) {
    const { ctx } = this;
    const step = STEPS.find((s) => s * pxPerMs >= 90) ?? STEPS[STEPS.length - 1];
    ctx.fillStyle = COLORS.axis;
    ctx.textBaseline = 'top';
    ctx.font = '11px system-ui, sans-serif';
    const height = this.plot.cssHeight;
    for (let t = Math.ceil(from / step) * step; t <= from + width / pxPerMs; t += step) {
      const x = GUTTER + (t - from) * pxPerMs;
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(x, AXIS, 1, height - AXIS);
      ctx.fillStyle = COLORS.axis;
      ctx.fillText(timeLabel(t, step), x + 3, 5);
    }
  }

  xOf(t) {
    return GUTTER + (t - this.visible.from) * (this.plot.width / this.span);
  }
  timeAt(x) {
    return this.visible.from + (x - GUTTER) * (this.span / this.plot.width);
  }

  /** The event nearest to (x, y) within a few pixels, faults first; -1 when none. */
  hit(x, y) {
    if (!this.plot || x < GUTTER) return -1;
    const lane = Math.floor((y - AXIS) / LANE);
    if (lane < 0 || lane >= this.plot.lanes) return -1;
    const { store } = this;
    const slack = 5 * (this.span / this.plot.width);
    const t = this.timeAt(x);
    let best = -1;
    let bestScore = Infinity;
    const end = store.lowerBound(t + slack + 1e-6);
    // Bounded: zoomed far out, thousands of events share these pixels and any of them will do.
    for (let i = store.lowerBound(t - slack), n = 0; i < end && n < 20_000; i++, n++) {
      if (this.laneOfTwin[store.twin[i]] !== lane || !this.passes(i)) continue;
      const score = Math.abs(store.time[i] - t) - (store.rule[i] ? slack : 0);
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  showTip(i, x, y) {
    this.hover = i;
    this.invalidate();
    if (i < 0) {
      this.tip.hidden = true;
      return;
    }
    const e = this.store.describe(i);
    this.tip.textContent = '';
    const head = document.createElement('strong');
    head.textContent = `#${e.seq} ${e.twin} · ${e.type}${e.point ? ` @ ${e.point}` : ''}`;
    const body = document.createElement('div');
    body.textContent = e.summary;
    const when = document.createElement('div');
    when.className = 'muted';
    when.textContent = new Date(e.time).toISOString().slice(11, 23);
    this.tip.append(head, body, when);
    if (e.fault) {
      const fault = document.createElement('div');
      fault.className = 'fault';
      fault.textContent = `fault: rule ${e.fault.rule} → ${e.fault.action}`;
      this.tip.append(fault);
    }
    this.tip.hidden = false;
    const maxX = this.canvas.clientWidth - 260;
    this.tip.style.left = `${Math.max(0, Math.min(x + 12, maxX))}px`;
    this.tip.style.top = `${y + 14}px`;
  }

  select(i) {
    this.selected = i;
    this.invalidate();
    if (i >= 0) this.onSelect?.(this.store.describe(i));
  }

  pan(ms) {
    this.setFollow(false);
    this.right += ms;
    this.invalidate();
  }

  zoom(factor, anchorX) {
    const anchor = anchorX === undefined || this.follow ? this.right : this.timeAt(anchorX);
    const span = Math.min(Math.max(this.span * factor, 5), 30 * 864e5);
    this.right = anchor + (this.right - anchor) * (span / this.span);
    this.span = span;
    this.invalidate();
  }

  /** Moves the selection to the next (+1) or previous (-1) event that passes the filters. */
  step(direction) {
    const { store } = this;
    let i = this.selected >= store.start && this.selected < store.end ? this.selected + direction : direction > 0 ? store.lowerBound(this.visible.from) : store.lowerBound(this.visible.to) - 1;
    while (i >= store.start && i < store.end && !this.passes(i)) i += direction;
    if (i < store.start || i >= store.end) return;
    const t = store.time[i];
    if (t < this.visible.from || t > this.visible.to) {
      this.setFollow(false);
      this.right = t + this.span / 2;
    }
    this.select(i);
  }

  bindInput() {
    this.abortInput = new AbortController();
    const { signal } = this.abortInput;
    const c = this.canvas;
    let drag;
    const local = (e) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    c.addEventListener('pointerdown', (e) => {
      const [x] = local(e);
      drag = { x, right: this.right, moved: false };
      c.setPointerCapture(e.pointerId);
    }, { signal });
    c.addEventListener('pointermove', (e) => {
      const [x, y] = local(e);
      if (drag) {
        const dx = x - drag.x;
        if (Math.abs(dx) > 3) drag.moved = true;
        if (drag.moved) {
          this.setFollow(false);
          this.right = drag.right - dx * (this.span / this.plot.width);
          this.invalidate();
          return;
        }
      }
      this.showTip(this.hit(x, y), x, y);
    }, { signal });
    c.addEventListener('pointerup', (e) => {
      const [x, y] = local(e);
      if (drag && !drag.moved) this.select(this.hit(x, y));
      drag = undefined;
    }, { signal });
    c.addEventListener('pointerleave', () => this.showTip(-1), { signal });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const [x] = local(e);
      this.zoom(e.deltaY > 0 ? 1.25 : 0.8, x);
    }, { signal, passive: false });
    c.addEventListener('keydown', (e) => {
      const handled = {
        ArrowLeft: () => this.pan(-this.span / 10),
        ArrowRight: () => this.pan(this.span / 10),
        '+': () => this.zoom(0.8),
        '=': () => this.zoom(0.8),
        '-': () => this.zoom(1.25),
        End: () => this.setFollow(true),
        Home: () => {
          if (!this.store.count) return;
          this.setFollow(false);
          this.right = this.store.time[this.store.start] + this.span * 0.9;
          this.invalidate();
        },
        ']': () => this.step(1),
        '[': () => this.step(-1),
      }[e.key];
      if (handled) {
        e.preventDefault();
        handled();
      }
    }, { signal });
  }
}

function timeLabel(t, step) {
  const iso = new Date(t).toISOString();
  return step < 1000 ? iso.slice(11, 23) : step < 864e5 ? iso.slice(11, 19) : iso.slice(0, 10);
}

function clip(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}
