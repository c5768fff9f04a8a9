// An HTTP answer held whole before it is sent: status, headers and body bytes. The request actions
// that work on an answer (`corrupt`, `disconnect` part-way) take and give one, whichever twin made it.
import type { ServerResponse } from 'node:http';

export interface HttpAnswer {
  status: number;
  /** Flat `[name, value, name, value…]`, without content-length (written from the body). */
  headers: readonly string[];
  body: Buffer;
}

/** The value of header `name` (any case), or undefined. */
export function headerOf(answer: HttpAnswer, name: string): string | undefined {
  const { headers } = answer;
  for (let i = 0; i < headers.length; i += 2) if ((headers[i] as string).toLowerCase() === name) return headers[i + 1];
  return undefined;
}

/** The answer with header `name` (lower case) set to `value`, replacing any earlier value. */
export function withHeader(answer: HttpAnswer, name: string, value: string): HttpAnswer {
  const headers: string[] = [];
  for (let i = 0; i < answer.headers.length; i += 2) {
    if ((answer.headers[i] as string).toLowerCase() !== name) headers.push(answer.headers[i] as string, answer.headers[i + 1] as string);
  }
  headers.push(name, value);
  return { ...answer, headers };
}

/** Writes the status line and headers, with the Content-Length of the whole body; the body is the caller's. */
export function writeAnswerHead(res: ServerResponse, answer: HttpAnswer): void {
  const { status } = answer;
  const noBody = status < 200 || status === 204 || status === 304;
  res.writeHead(status, noBody ? [...answer.headers] : [...answer.headers, 'content-length', String(answer.body.length)]);
}

export function writeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  writeAnswerHead(res, answer);
  res.end(answer.body);
}
