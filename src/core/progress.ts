// A step that may take seconds the first time (a PostgreSQL cluster's initdb, a template database
// built from init SQL, an RSA key) says so on stderr once it has run for a second, and says when it
// is done, so `standin up`, `run` and `mcp` never sit silent. Quick steps print nothing.

const AFTER_MS = 1_000;

export async function announceIfSlow<T>(what: string, work: () => Promise<T>, write: (line: string) => void = stderrLine): Promise<T> {
  const began = performance.now();
  let announced = false;
  const timer = setTimeout(() => {
    announced = true;
    write(`${what}…`);
  }, AFTER_MS);
  timer.unref();
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    if (announced) write(`${what}: done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
}

function stderrLine(line: string): void {
  process.stderr.write(`[standin] ${line}\n`);
}
