// The ports twins take when their config pins none (--twin-ports 45000-45099): a container
// publishes that range, so every twin it starts is reachable from the host.

export class PortRange {
  /** Where the next search starts: after the port given last, so a port just released (a destroyed
   * twin's) is the last one handed out again and a client still holding its address reaches nothing
   * rather than another twin. */
  private cursor = 0;

  constructor(
    readonly first: number,
    readonly last: number,
  ) {}

  get size(): number {
    return this.last - this.first + 1;
  }

  includes(port: number): boolean {
    return port >= this.first && port <= this.last;
  }

  /** Every port of the range once, starting after the one taken last. */
  *candidates(): Generator<number> {
    const start = this.cursor;
    for (let i = 0; i < this.size; i++) yield this.first + ((start + i) % this.size);
  }

  /** Records `port` as taken, so the next search starts after it. */
  taken(port: number): void {
    if (this.includes(port)) this.cursor = (port - this.first + 1) % this.size;
  }

  toString(): string {
    return `${this.first}-${this.last}`;
  }
}

/** `45000-45099` (or one port, `45000`); throws an Error naming `field` for anything else. */
export function parsePortRange(text: string, field: string): PortRange {
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(text);
  const first = Number(match?.[1]);
  const last = Number(match?.[2] ?? match?.[1]);
  if (!match || first < 1 || last > 65535 || first > last) {
    throw new Error(`${field}: ${JSON.stringify(text)} is not a port range; write FIRST-LAST, e.g. 45000-45099 (1–65535, FIRST ≤ LAST)`);
  }
  return new PortRange(first, last);
}
