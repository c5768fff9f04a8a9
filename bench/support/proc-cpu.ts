// CPU time a process has used so far, read from /proc/<pid>/stat (utime + stime, all of its threads,
// GC and libuv's pool included), in µs. The http-class benches charge each server for its work this
// way, from outside, so the measurement itself costs the server nothing. Linux only.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
  // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (15) fields[12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
}
