// The "add a fault rule" form, built from what GET /kinds says of the twin's kind: its points, each
// point's match schema and each action's parameter schema (JSON Schema from the server's TypeBox
// declarations). The page checks nothing itself: the API validates the rule and its message, which
// names the field (e.g. `body.action.error.status: expected integer`), is shown beside that field.

import { h } from './dom.js';

const TRIGGER = {
  type: 'object',
  properties: {
    times: { type: 'integer', description: 'fire at most this many times' },
    after: { type: 'integer', description: 'skip the first N matching events' },
    every: { type: 'integer', description: 'every Nth matching event' },
    probability: { type: 'number', description: '0–1' },
    from: { type: 'number', description: 'ms after the rule was added' },
    until: { type: 'number', description: 'ms after the rule was added' },
  },
};

/**
 * Renders the form into `form` for the environment's twins (name → kind) and the server's kinds.
 * `submit(rule)` posts the rule and throws the API's error; the form shows it.
 */
export function buildRuleForm(form, twins, kinds, submit) {
  const kindOf = new Map(kinds.map((k) => [k.kind, k]));
  const twinSelect = h('select', { id: 'rule-twin', name: 'twin' }, Object.keys(twins).map((name) => h('option', { value: name }, `${name} (${twins[name]})`)));
  const pointSelect = h('select', { id: 'rule-point', name: 'point' });
  const actionSelect = h('select', { id: 'rule-action', name: 'action' });
  const pointHelp = h('p', { class: 'muted small', id: 'rule-point-help' });
  const matchBox = h('fieldset', {}, []);
  const actionBox = h('fieldset', {}, []);
  const triggerBox = h('fieldset', {}, [h('legend', {}, 'Trigger (all that are set must hold; none = every time)'), ...fields(TRIGGER, 'trigger')]);
  const idInput = h('input', { id: 'rule-id', name: 'id', 'data-path': 'id', placeholder: 'generated when empty', spellcheck: 'false' });
  const message = h('p', { class: 'error', role: 'alert', id: 'rule-error' });
  const button = h('button', { type: 'submit' }, 'Add rule');

  const point = () => kindOf.get(twins[twinSelect.value])?.points.find((p) => p.name === pointSelect.value);
  const renderPoints = () => {
    const kind = kindOf.get(twins[twinSelect.value]);
    pointSelect.replaceChildren(...(kind?.points ?? []).map((p) => h('option', { value: p.name }, p.name)));
    renderActions();
  };
  const renderActions = () => {
    const p = point();
    pointHelp.textContent = p?.description ?? '';
    matchBox.replaceChildren(h('legend', {}, 'Match (empty = every event at this point)'), ...fields(p?.match, 'match'));
    actionSelect.replaceChildren(...Object.keys(p?.actions ?? {}).map((name) => h('option', { value: name }, name)));
    renderActionFields();
  };
  const renderActionFields = () => {
    const schema = point()?.actions?.[actionSelect.value];
    actionBox.replaceChildren(h('legend', {}, `Action: ${actionSelect.value}`), ...(schema?.description ? [h('p', { class: 'muted small' }, schema.description)] : []), ...fields(schema, `action.${actionSelect.value}`));
  };
  twinSelect.addEventListener('change', renderPoints);
  pointSelect.addEventListener('change', renderActions);
  actionSelect.addEventListener('change', renderActionFields);

  form.replaceChildren(
    h('div', { class: 'row' }, [
      h('label', {}, ['Twin ', twinSelect]),
      h('label', {}, ['Point ', pointSelect]),
      h('label', {}, ['Action ', actionSelect]),
      h('label', {}, ['Rule id ', idInput]),
    ]),
    pointHelp,
    matchBox,
    actionBox,
    triggerBox,
    message,
    button,
  );
  renderPoints();

  form.onsubmit = async (event) => {
    event.preventDefault();
    clearErrors(form, message);
    const rule = { twin: twinSelect.value, point: pointSelect.value, action: { [actionSelect.value]: collect(actionBox, `action.${actionSelect.value}`) } };
    if (idInput.value.trim()) rule.id = idInput.value.trim();
    const match = collect(matchBox, 'match');
    if (Object.keys(match).length) rule.match = match;
    const trigger = collect(triggerBox, 'trigger');
    if (Object.keys(trigger).length) rule.trigger = trigger;
    button.disabled = true;
    try {
      await submit(rule);
      for (const input of form.querySelectorAll('[data-path]')) if (input.type !== 'checkbox' && input.tagName !== 'SELECT') input.value = '';
    } catch (error) {
      showError(form, message, error.message);
    } finally {
      button.disabled = false;
    }
  };
}

/** One labelled input per property; nested objects as their own fields, the rest as JSON text. */
function fields(schema, path) {
  const out = [];
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    const fieldPath = `${path}.${name}`;
    const id = `f-${fieldPath.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    const required = schema.required?.includes(name);
    const consts = (prop.anyOf ?? []).every((p) => p.const !== undefined) && prop.anyOf?.length ? prop.anyOf.map((p) => p.const) : prop.enum;
    let input;
    let kind;
    if (consts) {
      kind = 'text';
      input = h('select', { id }, [h('option', { value: '' }, '—'), ...consts.map((c) => h('option', { value: String(c) }, String(c)))]);
    } else if (prop.type === 'integer' || prop.type === 'number') {
      kind = 'number';
      input = h('input', { id, inputmode: 'decimal', placeholder: prop.default !== undefined ? `default ${prop.default}` : prop.type });
    } else if (prop.type === 'boolean') {
      kind = 'boolean';
      input = h('input', { id, type: 'checkbox' });
    } else if (prop.type === 'string' || (prop.anyOf ?? []).some((p) => p.type === 'string')) {
      kind = 'text';
      input = h('input', { id, spellcheck: 'false' });
    } else {
      kind = 'json';
      input = h('textarea', { id, rows: '2', spellcheck: 'false', placeholder: 'JSON (or plain text)' });
    }
    input.dataset.path = fieldPath;
    input.dataset.kind = kind;
    if (prop.description) input.title = prop.description;
    out.push(
      h('div', { class: 'field' }, [
        h('label', { for: id }, [name, required ? h('span', { class: 'req', 'aria-label': 'required' }, ' *') : '']),
        input,
        prop.description ? h('span', { class: 'muted small' }, prop.description) : '',
        h('span', { class: 'error small field-error' }),
      ]),
    );
  }
  return out;
}

/** The values set under `box`, as an object; numbers that do not parse go as text, for the API to name. */
function collect(box, prefix) {
  const out = {};
  for (const input of box.querySelectorAll('[data-path]')) {
    const key = input.dataset.path.slice(prefix.length + 1);
    let value;
    if (input.dataset.kind === 'boolean') {
      if (!input.checked) continue;
      value = true;
    } else {
      const text = input.value.trim();
      if (text === '') continue;
      if (input.dataset.kind === 'number') value = Number.isFinite(Number(text)) ? Number(text) : text;
      else if (input.dataset.kind === 'json') {
        try {
          value = JSON.parse(text);
        } catch {
          value = text;
        }
      } else value = text;
    }
    out[key] = value;
  }
  return out;
}

function clearErrors(form, message) {
  message.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
}

/** The API's message, and beside the field it names (`body.action.error.status: …`) when there is one. */
function showError(form, message, text) {
  message.textContent = text;
  const named = /^body\.([A-Za-z0-9_.]+)/.exec(text)?.[1];
  if (!named) return;
  let input;
  for (let path = named; path && !input; path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '') {
    input = form.querySelector(`[data-path="${CSS.escape(path)}"]`);
  }
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  input.closest('.field')?.querySelector('.field-error')?.replaceChildren(text);
  input.focus();
}
