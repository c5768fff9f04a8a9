// The "new environment" form: name, seed and TTL (all optional) and the twins, POSTed as they are to
// /environments. The page checks nothing itself: the API's message names the field
// (`invalid request: body.seed: must be integer`, `twins.db.kind: unknown twin kind …`) and is shown beside it.

/** Twins as typed: a JSON object, or one `name: kind` per line for twins with the kind's defaults. */
export function parseTwins(text) {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`twins: not JSON (${error.message})`);
    }
  }
  const twins = {};
  for (const [k, line] of trimmed.split('\n').entries()) {
    if (line.trim() === '') continue;
    const m = /^\s*([^:\s]+)\s*:\s*(\S+)\s*$/.exec(line);
    if (!m) throw new Error(`twins: line ${k + 1} is not "name: kind" (or write the twins as a JSON object)`);
    twins[m[1]] = { kind: m[2] };
  }
  return twins;
}

/** The body to POST: empty fields left out; numbers that do not parse go as text, for the API to name. */
export function environmentSpec(form) {
  const value = (path) => form.querySelector(`[data-path="${path}"]`).value.trim();
  const number = (text) => (Number.isFinite(Number(text)) ? Number(text) : text);
  const spec = { twins: parseTwins(form.querySelector('[data-path="twins"]').value) };
  if (value('name')) spec.name = value('name');
  if (value('seed')) spec.seed = number(value('seed'));
  if (value('ttlSeconds')) spec.ttlSeconds = number(value('ttlSeconds'));
  return spec;
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
}

/** Beside the field the message names (`body.twins.db…` → the twins box), else under the form. */
export function showFieldError(form, general, text) {
  // `invalid request: body.seed: …` from the edge's schema, `twins.api.kind: …` from the twin kinds.
  const named = /(?:^|: )(?:body\.)?([A-Za-z]+)[.:]/.exec(text)?.[1];
  const input = named ? form.querySelector(`[data-path="${CSS.escape(named)}"]`) : null;
  if (!input) {
    general.textContent = text;
    return;
  }
  input.setAttribute('aria-invalid', 'true');
  const slot = input.closest('.field')?.querySelector('.field-error');
  if (slot) slot.textContent = text;
  else general.textContent = text;
  input.focus();
}
