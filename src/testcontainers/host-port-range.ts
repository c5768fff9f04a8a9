// A range of consecutive ports free on this machine, for a container that publishes its twins'
// ports to the same numbers: endpoints the server hands out (host:port) then work unchanged from
// the host, Kafka's advertised brokers and an OIDC issuer included, which rewriting endpoints to
// Testcontainers' random ports could not achieve.
import net from 'node:net';

const FIRST = 20_000;
const LAST = 60_000;

/** `count` consecutive ports none of which this machine listens on (probed, then released). */
export async function freeHostPortRange(count: number, attempts = 30): Promise<{ first: number; last: number }> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const first = FIRST + Math.floor(Math.random() * (LAST - FIRST - count));
    const held: net.Server[] = [];
    try {
      for (let port = first; port < first + count; port++) held.push(await hold(port));
      return { first, last: first + count - 1 };
    } catch {
      // One was taken: another base.
    } finally {
      await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  }
  throw new Error(`no ${count} consecutive free ports found between ${FIRST} and ${LAST} after ${attempts} attempts`);
}

function hold(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    // No host: every interface, as Docker publishes.
    server.listen({ port, exclusive: true }, () => resolve(server));
  });
}
