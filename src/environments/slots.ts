// A count with a cap (environments, twins of one server). Slots are taken before the work they guard
// starts, so requests racing each other cannot pass the cap together, and given back when that work
// has ended or failed.
export class Slots {
  private used = 0;

  constructor(readonly limit: number) {}

  get taken(): number {
    return this.used;
  }

  /** Takes `n` slots, or none when fewer are free (answers false). */
  take(n = 1): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n = 1): void {
    this.used = Math.max(0, this.used - n);
  }
}
