// Shrinking a failing schedule to a minimal one: first the fewest candidates (drop any whose absence
// still fails), then the earliest occurrence of each fault that still fails. Results already known
// (the singles of a failing pair were run during exploration) are not run again.
import { scheduleKey, type Candidate } from './candidate.ts';
import type { ScheduleResult } from './schedule-run.ts';

export interface Shrunk {
  schedule: Candidate[];
  result: ScheduleResult;
  /** Runs shrinking made (known results cost none). */
  runs: number;
}

export async function shrink(
  failing: ScheduleResult,
  known: ReadonlyMap<string, ScheduleResult>,
  run: (schedule: Candidate[]) => Promise<ScheduleResult>,
): Promise<Shrunk> {
  let runs = 0;
  const tried = new Map(known);
  const attempt = async (schedule: Candidate[]): Promise<ScheduleResult> => {
    const key = scheduleKey(schedule);
    const seen = tried.get(key);
    if (seen) return seen;
    runs++;
    const result = await run(schedule);
    tried.set(key, result);
    return result;
  };

  let current = failing;
  for (let i = 0; i < current.schedule.length && current.schedule.length > 1; ) {
    const smaller = current.schedule.filter((_, j) => j !== i);
    const result = await attempt(smaller);
    if (result.outcome === 'violated') current = result;
    else i++;
  }
  for (let i = 0; i < current.schedule.length; i++) {
    const candidate = current.schedule[i] as Candidate;
    if (candidate.type !== 'fault') continue;
    for (let occurrence = 1; occurrence < candidate.occurrence; occurrence++) {
      const earlier = current.schedule.map((c, j) => (j === i ? { ...candidate, occurrence } : c));
      const result = await attempt(earlier);
      if (result.outcome === 'violated') {
        current = result;
        break;
      }
    }
  }
  return { schedule: current.schedule, result: current, runs };
}
