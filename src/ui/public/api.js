// The control API as the page uses it: the same REST routes as any client, with the token sent in the
// Authorization header only. Tokens live in sessionStorage (this tab, until it closes): never in a
// URL, never logged.

const ADMIN_KEY = 'standin.admin';
const envKey = (id) => `standin.env.${id}`;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
  }
}

export const tokens = {
  admin: () => sessionStorage.getItem(ADMIN_KEY) ?? undefined,
  setAdmin: (token) => (token ? sessionStorage.setItem(ADMIN_KEY, token) : sessionStorage.removeItem(ADMIN_KEY)),
  env: (id) => sessionStorage.getItem(envKey(id)) ?? undefined,
  setEnv: (id, token) => (token ? sessionStorage.setItem(envKey(id), token) : sessionStorage.removeItem(envKey(id))),
  /** The environment's own token, else the admin token (which opens every environment). */
  forEnv: (id) => tokens.env(id) ?? tokens.admin(),
};

export function authHeaders(token) {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A JSON call; throws ApiError carrying the API's own message (which names the field at fault). */
export async function api(method, path, { token, body, signal } = {}) {
  const headers = { accept: 'application/json', ...authHeaders(token) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  if (response.status === 204) return undefined;
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { message: text };
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const envPath = (id, rest = '') => `/environments/${encodeURIComponent(id)}${rest}`;
