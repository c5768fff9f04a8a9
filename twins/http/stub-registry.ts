// The twin's stubs and scenario states. Stubs from config come in their listed order; stubs added at
// runtime go in front, newest first (WireMock's rule: the most recent mapping wins), so a scenario
// can override a config stub and remove the override again. The first stub that matches answers.
import { DEFAULT_LIMITS, checkSchema, type Limits } from '../../src/core/index.ts';
import { FieldError } from './field-error.ts';
import type { Params } from './path-matcher.ts';
import type { RecordedRequest } from './recorded-request.ts';
import { compileResponse, type CompiledResponse } from './stub-response.ts';
import { StubMatcher } from './stub-matcher.ts';
import { STARTED, StubSchema, type StubInput } from './stub-schema.ts';

export type StubSource = 'config' | 'runtime';

export interface CompiledStub {
  id: string;
  /** As the user wrote it, with its id. */
  input: StubInput & { id: string };
  source: StubSource;
  matcher: StubMatcher;
  responses: readonly CompiledResponse[];
  /** Requests answered so far; picks the next of `responses`. */
  served: number;
}

export interface StubMatch {
  stub: CompiledStub;
  params: Params;
  response: CompiledResponse;
}

export interface StubView extends StubInput {
  id: string;
  source: StubSource;
  hits: number;
}

export class StubRegistry {
  private readonly configStubs: readonly CompiledStub[];
  /** Runtime stubs (newest first), then config stubs. Replaced, never mutated. */
  private stubs: readonly CompiledStub[];
  private readonly states = new Map<string, string>();
  private generated = 0;
  /** Ids config stubs give by hand, so that generated ids never take them. */
  private readonly reserved: ReadonlySet<string>;

  /** `limits`: the server's bounds on the number of stubs and on each regular expression a stub holds. */
  constructor(
    inputs: readonly StubInput[],
    private readonly limits: Pick<Limits, 'patternLength' | 'stubsPerTwin'> = DEFAULT_LIMITS,
  ) {
    if (inputs.length > limits.stubsPerTwin) throw new FieldError('stubs', `more than ${limits.stubsPerTwin} stubs (--limit-stubs-per-twin)`);
    this.reserved = new Set(inputs.map((s) => (s as { id?: unknown }).id).filter((id): id is string => typeof id === 'string'));
    const seen = new Set<string>();
    this.configStubs = inputs.map((input, i) => {
      const stub = this.compile(input, `stubs[${i}]`, 'config', seen);
      seen.add(stub.id);
      return stub;
    });
    this.stubs = this.configStubs;
  }

  /** The first stub that matches; advances its response sequence and its scenario. */
  find(request: RecordedRequest): StubMatch | undefined {
    for (const stub of this.stubs) {
      const { scenarioName, requiredScenarioState } = stub.input;
      if (requiredScenarioState !== undefined && this.stateOf(scenarioName as string) !== requiredScenarioState) continue;
      const params = stub.matcher.match(request);
      if (params === undefined) continue;
      const response = stub.responses[Math.min(stub.served, stub.responses.length - 1)] as CompiledResponse;
      stub.served++;
      if (stub.input.newScenarioState !== undefined) this.states.set(scenarioName as string, stub.input.newScenarioState);
      return { stub, params, response };
    }
    return undefined;
  }

  /** Validates, compiles and puts a stub in front; `field` prefixes error messages. */
  add(input: unknown, field = ''): CompiledStub {
    if (this.stubs.length >= this.limits.stubsPerTwin) {
      throw new FieldError(field || '(root)', `this twin already has ${this.limits.stubsPerTwin} stubs (--limit-stubs-per-twin); remove some first`);
    }
    const stub = this.compile(input, field, 'runtime', new Set(this.stubs.map((s) => s.id)));
    this.stubs = [stub, ...this.stubs];
    return stub;
  }

  remove(id: string): boolean {
    const rest = this.stubs.filter((s) => s.id !== id);
    const removed = rest.length !== this.stubs.length;
    this.stubs = rest;
    return removed;
  }

  /** Stubs back to the config's, each sequence from its first response, every scenario to Started. */
  reset(): void {
    for (const stub of this.configStubs) stub.served = 0;
    this.stubs = this.configStubs;
    this.states.clear();
    // Like rule ids: after a reset the same add-stub calls get the same ids as after a start.
    this.generated = 0;
  }

  setState(scenario: string, state: string): void {
    this.states.set(scenario, state);
  }

  stateOf(scenario: string): string {
    return this.states.get(scenario) ?? STARTED;
  }

  /** Every scenario a stub names, with its state. */
  scenarios(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const stub of this.stubs) if (stub.input.scenarioName) out[stub.input.scenarioName] = this.stateOf(stub.input.scenarioName);
    for (const [name, state] of this.states) out[name] = state;
    return out;
  }

  all(): readonly CompiledStub[] {
    return this.stubs;
  }

  views(): StubView[] {
    return this.stubs.map((s) => ({ ...s.input, source: s.source, hits: s.served }));
  }

  private compile(raw: unknown, field: string, source: StubSource, taken: ReadonlySet<string>): CompiledStub {
    const problem = checkSchema(StubSchema, raw, field)[0];
    if (problem) throw new FieldError(problem.field, problem.detail);
    const input = structuredClone(raw) as StubInput;
    const at = (name: string): string => (field ? `${field}.${name}` : name);
    if (input.id !== undefined && taken.has(input.id)) throw new FieldError(at('id'), `a stub with id ${input.id} already exists`);
    if ((input.response === undefined) === (input.responses === undefined)) {
      throw new FieldError(field || '(root)', 'needs exactly one of response or responses');
    }
    if ((input.requiredScenarioState !== undefined || input.newScenarioState !== undefined) && input.scenarioName === undefined) {
      throw new FieldError(at('scenarioName'), 'required with requiredScenarioState or newScenarioState');
    }
    const matcher = StubMatcher.compile(input.request, at('request'), this.limits.patternLength);
    const responses =
      input.responses !== undefined
        ? input.responses.map((r, i) => compileResponse(r, at(`responses[${i}]`)))
        : [compileResponse(input.response ?? {}, at('response'))];
    const id = input.id ?? this.nextId(taken);
    return { id, input: { ...input, id }, source, matcher, responses, served: 0 };
  }

  /** s1, s2, … skipping ids taken by hand, so the same calls give the same ids. */
  private nextId(taken: ReadonlySet<string>): string {
    let id: string;
    do id = `s${++this.generated}`;
    while (taken.has(id) || this.reserved.has(id) || this.stubs?.some((s) => s.id === id));
    return id;
  }
}
