// HTTP load from the bench process to a server in another process, through autocannon: keep-alive
// connections, one request in flight on each, for a fixed time. Only 2xx answers count; anything
// else fails the bench, since a fast error is not a figure.
import autocannon from 'autocannon';

export interface HttpLoad {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export async function httpLoad(load: HttpLoad): Promise<{ ops: number; seconds: number }> {
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.seconds,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${load.method ?? 'GET'} ${load.url}: ${bad} of ${result.totalRequests} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  return { ops: result['2xx'], seconds: result.duration };
}
