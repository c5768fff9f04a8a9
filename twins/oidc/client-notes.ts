// The client a request was made by, as the provider identified it: noted from inside the provider,
// read by the front when it journals the request. Kept on the request itself under a symbol (a
// WeakMap entry per token request is one more lookup and an ephemeron for the GC to trace).
import type { IncomingMessage } from 'node:http';

const CLIENT_ID = Symbol('standin oidc client id');

type Noted = IncomingMessage & { [CLIENT_ID]?: string };

export function noteClient(req: IncomingMessage, clientId: string): void {
  (req as Noted)[CLIENT_ID] = clientId;
}

export function notedClient(req: IncomingMessage): string | undefined {
  return (req as Noted)[CLIENT_ID];
}
