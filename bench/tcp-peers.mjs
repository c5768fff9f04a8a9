// The two ends of the tcp bench, each in its own worker thread so that, as in real use, client,
// proxy and upstream do not share one event loop: `servers` runs an echo and a counting sink,
// `client` runs round trips and uploads on request. Plain JS: workers start without the TS loader.
import net from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

async function serve(onSocket) {
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

async function startServers() {
  const echo = await serve((socket) => socket.pipe(socket));
  const sink = await serve((socket) => {
    let bytes = 0;
    socket.on('data', (chunk) => {
      bytes += chunk.length;
    });
    socket.on('end', () => socket.end(String(bytes)));
  });
  parentPort.postMessage({ echo, sink });
}

async function roundTrips(port, count, warmup) {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  const payload = Buffer.alloc(64, 7);
  const out = new Float64Array(count);
  await new Promise((resolve, reject) => {
    let got = 0;
    let done = 0;
    let started = 0;
    const send = () => {
      got = 0;
      started = performance.now();
      socket.write(payload);
    };
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      got += chunk.length;
      if (got < payload.length) return;
      const us = (performance.now() - started) * 1000;
      if (done >= warmup) out[done - warmup] = us;
      done++;
      if (done < warmup + count) send();
      else resolve();
    });
    send();
  });
  socket.destroy();
  return out;
}

async function upload(port, bytes, chunkSize) {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  const chunk = Buffer.alloc(chunkSize, 1);
  const started = performance.now();
  const reply = new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (data) => {
      text += data.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  let sent = 0;
  while (sent < bytes) {
    const size = Math.min(chunkSize, bytes - sent);
    sent += size;
    if (!socket.write(size === chunkSize ? chunk : chunk.subarray(0, size))) await once(socket, 'drain');
  }
  socket.end();
  const counted = Number(await reply);
  const ms = performance.now() - started;
  socket.destroy();
  if (counted !== bytes) throw new Error(`sink counted ${counted} of ${bytes} bytes`);
  return ms;
}

if (workerData.role === 'servers') await startServers();
else {
  parentPort.on('message', async (job) => {
    try {
      if (job.type === 'roundTrips') parentPort.postMessage({ samples: await roundTrips(job.port, job.count, job.warmup) });
      else parentPort.postMessage({ ms: await upload(job.port, job.bytes, job.chunkSize) });
    } catch (error) {
      parentPort.postMessage({ error: String(error) });
    }
  });
}
