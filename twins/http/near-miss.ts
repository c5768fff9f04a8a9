// WireMock's near-misses: for a request no stub matched, the stubs that came closest, each with a
// score in [0, 1] (weighted agreement over method, path, query, headers, body and scenario state)
// and what differed. Computed only for unmatched requests, never on the matched hot path.
import type { RecordedRequest } from './recorded-request.ts';
import type { CompiledStub } from './stub-registry.ts';
import type { Difference, FieldScore } from './stub-matcher.ts';
import type { RequestPatternInput } from './stub-schema.ts';

export interface NearMiss {
  id: string;
  score: number;
  request: RequestPatternInput;
  differences: Difference[];
}

export function nearMisses(
  stubs: readonly CompiledStub[],
  request: RecordedRequest,
  stateOf: (scenario: string) => string,
  limit = 3,
): NearMiss[] {
  const ranked = stubs.map((stub) => {
    const scores: FieldScore[] = stub.matcher.explain(request);
    const { scenarioName, requiredScenarioState } = stub.input;
    if (scenarioName !== undefined && requiredScenarioState !== undefined) {
      const state = stateOf(scenarioName);
      const ok = state === requiredScenarioState;
      scores.push({
        weight: 1,
        score: ok ? 1 : 0,
        ...(!ok && { difference: { field: `scenario ${scenarioName}`, expected: requiredScenarioState, actual: state } }),
      });
    }
    let total = 0;
    let got = 0;
    for (const s of scores) {
      total += s.weight;
      got += s.weight * s.score;
    }
    return {
      id: stub.id,
      score: Math.round((got / total) * 100) / 100,
      request: stub.input.request,
      differences: scores.flatMap((s) => (s.difference ? [s.difference] : [])),
    };
  });
  // Stable sort: among equal scores the stub that would be tried first comes first.
  return ranked.sort((a, b) => b.score - a.score).slice(0, limit);
}
