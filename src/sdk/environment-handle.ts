// A started environment as a client holds it: its id, token, seed, endpoints and env, and the calls
// under /environments/:id made with its own token. AsyncDisposable, so `await using env = …`
// destroys it when the scope ends, however the scope ends.
import type { FaultRuleInput, FaultRuleView, JournalEvent, JournalFilter, JournalPage } from '../core/index.ts';
import { isStandinApiError } from './api-error.ts';
import type { ActionResult, CreatedEnvironment, EnvironmentView, TwinState, TwinView } from './api-types.ts';
import { segment, type ControlApi } from './control-api.ts';
import { readSse } from './sse-reader.ts';

/** Query values for a twin's inspect; sent as query parameters, so every value arrives as text. */
export type InspectQuery = Record<string, string | number | boolean>;

export interface FaultRules {
  /** Adds a rule; answers it with its id (generated r1, r2, … when absent) and counters. */
  add(rule: FaultRuleInput): Promise<FaultRuleView>;
  list(twin?: string): Promise<FaultRuleView[]>;
  get(ruleId: string): Promise<FaultRuleView>;
  remove(ruleId: string): Promise<void>;
  clear(): Promise<void>;
}

export interface JournalStreamOptions {
  /** Ends the stream (as does leaving a `for await` loop). */
  signal?: AbortSignal;
}

export interface JournalClient {
  query(filter?: JournalFilter): Promise<JournalPage>;
  /**
   * Matching events as they are appended. Replays from `filter.since` first, and `since` defaults to
   * 0 — the start of the journal — so an event that happened before the stream connected is not
   * missed; pass the `lastSeq` of a query to see only newer ones. A reader that falls too far behind
   * is cut off by the server (`event: overflow`); the stream then reconnects from where it stopped.
   */
  stream(filter?: JournalFilter, options?: JournalStreamOptions): AsyncGenerator<JournalEvent, void, undefined>;
}

export interface TwinClient {
  /** The twin's state; the shape is the twin kind's (rows, requests, payments…), not checked here. */
  inspect<T = unknown>(query?: InspectQuery): Promise<T>;
  /** Runs one of the kind's actions (kafka produce, oidc mint-token, http add-stub…); answers its result. */
  action<T = unknown>(verb: string, params?: Record<string, unknown>): Promise<T>;
}

export class EnvironmentHandle implements AsyncDisposable {
  readonly id: string;
  readonly token: string;
  readonly seed: number;
  readonly name?: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  twins: Record<string, TwinView>;
  /** The merged env vars for the system under test. */
  env: Record<string, string>;
  readonly faults: FaultRules;
  readonly journal: JournalClient;
  private destroyed = false;

  constructor(private readonly api: ControlApi, created: CreatedEnvironment) {
    this.id = created.id;
    this.token = created.token;
    this.seed = created.seed;
    if (created.name !== undefined) this.name = created.name;
    this.createdAt = created.createdAt;
    if (created.expiresAt !== undefined) this.expiresAt = created.expiresAt;
    this.twins = created.twins;
    this.env = created.env;
    this.faults = this.faultRules();
    this.journal = this.journalClient();
  }

  twin(name: string): TwinClient {
    const base = `${this.base}/twins/${segment(name)}`;
    return {
      inspect: async <T>(query: InspectQuery = {}) => (await this.call<TwinState & { state: T }>('GET', base, { query })).state,
      action: async <T>(verb: string, params: Record<string, unknown> = {}) =>
        (await this.call<ActionResult & { result: T }>('POST', `${base}/actions/${segment(verb)}`, { body: params })).result,
    };
  }

  /** Reads the environment again (twins added through the Toxiproxy API show up here). */
  async refresh(): Promise<EnvironmentView> {
    return this.adopt(await this.call<EnvironmentView>('GET', this.base));
  }

  /** Twins back to their initial state, rules to the initial set, journal emptied. */
  async reset(): Promise<EnvironmentView> {
    return this.adopt(await this.call<EnvironmentView>('POST', `${this.base}/reset`));
  }

  /** Stops every twin. Calling it again, or after the TTL reaped the environment, does nothing. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    try {
      await this.call('DELETE', this.base);
    } catch (error) {
      if (!(isStandinApiError(error) && error.code === 'STANDIN_ERR_ENV_NOT_FOUND')) throw error;
    }
    this.destroyed = true;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }

  private get base(): string {
    return `/environments/${segment(this.id)}`;
  }

  private call<T>(method: string, path: string, options: { body?: unknown; query?: InspectQuery | JournalFilter } = {}): Promise<T> {
    return this.api.call<T>(method, path, { ...options, token: this.token });
  }

  private adopt(view: EnvironmentView): EnvironmentView {
    this.twins = view.twins;
    this.env = view.env;
    return view;
  }

  private faultRules(): FaultRules {
    const base = (): string => `${this.base}/faults`;
    return {
      add: (rule) => this.call<FaultRuleView>('POST', base(), { body: rule }),
      list: async (twin) => (await this.call<{ rules: FaultRuleView[] }>('GET', base(), { query: twin === undefined ? {} : { twin } })).rules,
      get: (ruleId) => this.call<FaultRuleView>('GET', `${base()}/${segment(ruleId)}`),
      remove: (ruleId) => this.call<void>('DELETE', `${base()}/${segment(ruleId)}`),
      clear: () => this.call<void>('DELETE', base()),
    };
  }

  private journalClient(): JournalClient {
    const api = this.api;
    const path = `${this.base}/journal`;
    const token = this.token;
    return {
      query: (filter = {}) => this.call<JournalPage>('GET', path, { query: filter }),
      async *stream(filter = {}, options = {}) {
        // Aborting the fetch on the way out closes the connection even while a read is pending.
        const abort = new AbortController();
        const onAbort = (): void => abort.abort();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          let since = filter.since ?? 0;
          for (;;) {
            const response = await api.open(`${path}/stream`, { token, query: { ...filter, since }, signal: abort.signal });
            if (!response.body) return;
            let overflowed = false;
            for await (const message of readSse(response.body)) {
              if (message.event === 'journal') yield JSON.parse(message.data) as JournalEvent;
              // The server ended the stream because this reader fell behind: resume where it stopped.
              else if (message.event === 'overflow') {
                overflowed = true;
                since = (JSON.parse(message.data) as { lastSeq: number }).lastSeq;
              }
            }
            if (!overflowed) return;
          }
        } catch (error) {
          if (abort.signal.aborted) return;
          throw error;
        } finally {
          options.signal?.removeEventListener('abort', onAbort);
          abort.abort();
        }
      },
    };
  }
}
