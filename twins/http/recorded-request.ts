// One request as the twin sees it once its body has arrived. Query, text and JSON are parsed on
// first use: the stub hot path of a GET touches none of them.
import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseQuery } from 'node:querystring';

export type Query = Record<string, string | string[] | undefined>;

const NOT_PARSED: unique symbol = Symbol('not parsed');
const NO_QUERY: Query = Object.freeze({});

export class RecordedRequest {
  readonly method: string;
  /** The raw path (percent-encoding kept), without the query string. */
  readonly path: string;
  readonly rawQuery: string;
  private parsedQuery: Query | undefined;
  private parsedText: string | undefined;
  private parsedJson: unknown = NOT_PARSED;

  /** The request target: path and query. */
  readonly url: string;

  constructor(
    method: string,
    url: string,
    /** Lower-case names, as node:http gives them. */
    readonly headers: IncomingHttpHeaders,
    readonly body: Buffer,
  ) {
    this.method = method;
    // Absolute-form targets (`GET http://api.example.com/x`) come from clients that use the twin as
    // their HTTP proxy; the path is what follows the authority.
    if (url.charCodeAt(0) !== 0x2f /* / */ && /^https?:\/\//i.test(url)) {
      const slash = url.indexOf('/', url.indexOf('//') + 2);
      url = slash === -1 ? '/' : url.slice(slash);
    }
    this.url = url;
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.rawQuery = q === -1 ? '' : url.slice(q + 1);
  }

  get query(): Query {
    this.parsedQuery ??= this.rawQuery === '' ? NO_QUERY : { ...parseQuery(this.rawQuery) };
    return this.parsedQuery;
  }

  get text(): string {
    this.parsedText ??= this.body.length === 0 ? '' : this.body.toString('utf8');
    return this.parsedText;
  }

  /** The body parsed as JSON, or undefined when it is not JSON. */
  get json(): unknown {
    if (this.parsedJson === NOT_PARSED) {
      try {
        this.parsedJson = this.body.length === 0 ? undefined : (JSON.parse(this.text) as unknown);
      } catch {
        this.parsedJson = undefined;
      }
    }
    return this.parsedJson;
  }

  /** A short text of the body for the journal, without copying big bodies. */
  bodyPreview(max = 512): string {
    if (this.body.length === 0) return '';
    return this.body.length <= max ? this.text : `${this.body.toString('utf8', 0, max)}…`;
  }
}
