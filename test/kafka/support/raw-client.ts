// A minimal Kafka client over a raw socket, built on the twin's own codecs, for tests that need
// exact frames: malformed input, fuzzing, a group member that stops heartbeating.
import net from 'node:net';
import { REGISTRY } from '../../../twins/kafka/apis/registry.ts';
import { Reader, Writer } from '../../../twins/kafka/protocol/primitives.ts';
import { writeRequestHeader } from '../../../twins/kafka/protocol/request-header.ts';
import { decodeResponse, encodeRequest, isFlexible, type Message } from '../../../twins/kafka/protocol/schema.ts';

export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiting = new Map<number, (frame: Buffer) => void>();
  private nextId = 1;
  closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4) {
        const size = this.buffer.readInt32BE(0);
        if (this.buffer.length < 4 + size) break;
        const frame = this.buffer.subarray(4, 4 + size);
        this.buffer = this.buffer.subarray(4 + size);
        const id = frame.readInt32BE(0);
        this.waiting.get(id)?.(frame);
        this.waiting.delete(id);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
  }

  static connect(hostPort: string): Promise<RawClient> {
    const [host, port] = hostPort.split(':') as [string, string];
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: Number(port) }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return !this.socket.destroyed && this.socket.readyState === 'open';
  }

  /** Sends a request encoded by the twin's schema for (apiKey, version); resolves with the decoded response. */
  request(apiKey: number, version: number, body: Message, clientId = 'raw'): Promise<Message> {
    const spec = REGISTRY.get(apiKey);
    if (!spec) throw new Error(`no api ${apiKey}`);
    const flexible = isFlexible(spec.spec, version);
    const w = new Writer();
    const correlationId = this.nextId++;
    writeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId }, flexible);
    encodeRequest(spec.spec, w, body, version);
    const payload = w.toBuffer();
    return new Promise((resolve, reject) => {
      this.closed.then(() => reject(new Error('connection closed')));
      this.waiting.set(correlationId, (frame) => {
        const r = new Reader(frame, 4);
        if (flexible && apiKey !== 18) r.taggedFields();
        try {
          const body = decodeResponse(spec.spec, r, version);
          if (r.remaining !== 0) throw new Error(`${spec.spec.name} v${version}: ${r.remaining} bytes left after the response`);
          resolve(body);
        } catch (e) {
          reject(e);
        }
      });
      this.writeFrame(payload);
    });
  }

  writeFrame(payload: Buffer): void {
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    this.socket.write(Buffer.concat([size, payload]));
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}
