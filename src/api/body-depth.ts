// How deep a parsed JSON body nests, checked before anything else walks it: schema checks, stub
// templating and YAML stringifying all recurse, and a body nested 10,000 deep overflows their stack.
// This walk keeps its own stack, so it cannot overflow, and stops at the first container too deep.

/** Path segments shown in a message before the rest is elided. */
const SHOWN_SEGMENTS = 10;
/** Characters of one key shown in a message. */
const SHOWN_KEY = 40;

interface Frame {
  value: object;
  depth: number;
  key: string | number;
  parent: Frame | undefined;
}

/**
 * The dotted field (`body.twins.web.stubs[0].response.body.a…`) of the first object or array nested
 * more than `maxDepth` containers deep, or undefined when `value` is within the limit.
 */
export function fieldTooDeep(value: unknown, maxDepth: number, root = 'body'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Frame[] = [{ value, depth: 1, key: root, parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) return fieldOf(frame);
    // Indexed loops, not entries(): a 10 MB array of numbers must not allocate a tuple per element.
    if (Array.isArray(frame.value)) {
      const array: unknown[] = frame.value;
      for (let i = 0; i < array.length; i++) push(stack, array[i], i, frame);
    } else {
      const object = frame.value as Record<string, unknown>;
      for (const key of Object.keys(object)) push(stack, object[key], key, frame);
    }
  }
  return undefined;
}

function push(stack: Frame[], child: unknown, key: string | number, parent: Frame): void {
  if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: parent.depth + 1, key, parent });
}

function fieldOf(frame: Frame): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f; f = f.parent) keys.push(f.key);
  keys.reverse();
  const shown = keys.slice(0, SHOWN_SEGMENTS).map((key, i) =>
    typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${key.length > SHOWN_KEY ? `${key.slice(0, SHOWN_KEY)}…` : key}`,
  );
  return `${shown.join('')}${keys.length > SHOWN_SEGMENTS ? '…' : ''}`;
}
