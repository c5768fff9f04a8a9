// The message-schema engine: encodes and decodes a request or response body from a field table
// (apis/<api>/schema.ts, generated from Kafka's message definitions and reviewed). A field is present
// in versions [min, max]; in flexible versions strings, bytes and arrays are compact and every
// struct ends in a tagged-field section.
// @see https://kafka.apache.org/protocol.html#protocol_messages
// @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-482 (tagged fields, flexible versions)
import { KafkaDecodeError, Reader, Writer } from './primitives.ts';

export type Primitive =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface FieldSpec {
  /** camelCase of the definition's name. */
  name: string;
  type: Primitive | StructSpec;
  array?: boolean;
  /** [min, max] versions the field is present in (max 32767 = open). */
  versions: readonly [number, number];
  nullable?: readonly [number, number];
  tag?: number;
  default?: number | string | boolean | null;
}

export interface StructSpec {
  fields: readonly FieldSpec[];
}

export interface MessageSpec {
  apiKey: number;
  name: string;
  /** Versions Standin implements (and advertises). */
  versions: readonly [number, number];
  /** First flexible version (32767 = none). */
  flexible: number;
  request: StructSpec;
  response: StructSpec;
}

export type Message = Record<string, unknown>;

const inRange = (v: number, r: readonly [number, number] | undefined): boolean => r !== undefined && v >= r[0] && v <= r[1];

export function decodeStruct(spec: StructSpec, r: Reader, version: number, flexible: boolean): Message {
  const out: Message = {};
  for (const f of spec.fields) {
    if (f.tag !== undefined || !inRange(version, f.versions)) {
      out[f.name] = defaultOf(f);
      continue;
    }
    out[f.name] = decodeField(f, r, version, flexible);
  }
  if (flexible) {
    r.taggedFields((tag, tr) => {
      const f = spec.fields.find((x) => x.tag === tag && inRange(version, x.versions));
      if (f) out[f.name] = decodeField(f, tr, version, flexible);
    });
  }
  return out;
}

function decodeField(f: FieldSpec, r: Reader, version: number, flexible: boolean): unknown {
  if (f.array) {
    const n = r.arrayLength(flexible);
    if (n < 0) {
      if (!inRange(version, f.nullable)) throw new KafkaDecodeError(`${f.name}: null array`);
      return null;
    }
    const items: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = decodeValue(f, r, version, flexible);
    return items;
  }
  if (typeof f.type !== 'string' && inRange(version, f.nullable) && r.int8() < 0) return null;
  return decodeValue(f, r, version, flexible);
}

function decodeValue(f: FieldSpec, r: Reader, version: number, flexible: boolean): unknown {
  const t = f.type;
  if (typeof t !== 'string') return decodeStruct(t, r, version, flexible);
  switch (t) {
    case 'bool':
      return r.bool();
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'uuid':
      return r.uuid();
    case 'string': {
      const s = flexible ? r.compactString() : r.string();
      if (s === null && !inRange(version, f.nullable)) throw new KafkaDecodeError(`${f.name}: null string`);
      return s;
    }
    case 'bytes':
    case 'records': {
      const b = flexible ? r.compactBytes() : r.bytes();
      if (b === null && t === 'bytes' && !inRange(version, f.nullable)) throw new KafkaDecodeError(`${f.name}: null bytes`);
      return b;
    }
  }
}

function defaultOf(f: FieldSpec): unknown {
  if (f.array) return f.default === null ? null : [];
  if (f.default !== undefined) return f.default;
  if (typeof f.type !== 'string') return null;
  switch (f.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return Buffer.alloc(16);
    default:
      return 0;
  }
}

export function encodeStruct(spec: StructSpec, w: Writer, value: Message, version: number, flexible: boolean): void {
  let tagged: FieldSpec[] | undefined;
  for (const f of spec.fields) {
    if (!inRange(version, f.versions)) continue;
    if (f.tag !== undefined) {
      if (flexible && value[f.name] !== undefined) (tagged ??= []).push(f);
      continue;
    }
    const v = value[f.name];
    encodeField(f, w, v === undefined ? defaultOf(f) : v, version, flexible);
  }
  if (flexible) {
    if (!tagged) {
      w.uvarint(0);
      return;
    }
    w.uvarint(tagged.length);
    for (const f of tagged.sort((a, b) => (a.tag as number) - (b.tag as number))) {
      const inner = new Writer();
      encodeField(f, inner, value[f.name], version, flexible);
      const bytes = inner.toBuffer();
      w.uvarint(f.tag as number).uvarint(bytes.length).raw(bytes);
    }
  }
}

function encodeField(f: FieldSpec, w: Writer, v: unknown, version: number, flexible: boolean): void {
  if (f.array) {
    if (v === null) {
      if (flexible) w.uvarint(0);
      else w.int32(-1);
      return;
    }
    const items = v as unknown[];
    if (flexible) w.uvarint(items.length + 1);
    else w.int32(items.length);
    for (const item of items) encodeValue(f, w, item, version, flexible);
    return;
  }
  // A nullable struct (not an array) is prefixed with an int8: -1 for null, 1 for a value.
  if (typeof f.type !== 'string' && inRange(version, f.nullable)) {
    w.int8(v === null || v === undefined ? -1 : 1);
    if (v === null || v === undefined) return;
  }
  encodeValue(f, w, v, version, flexible);
}

function encodeValue(f: FieldSpec, w: Writer, v: unknown, version: number, flexible: boolean): void {
  const t = f.type;
  if (typeof t !== 'string') {
    encodeStruct(t, w, (v ?? {}) as Message, version, flexible);
    return;
  }
  switch (t) {
    case 'bool':
      w.bool(Boolean(v));
      return;
    case 'int8':
      w.int8(Number(v ?? 0));
      return;
    case 'int16':
      w.int16(Number(v ?? 0));
      return;
    case 'uint16':
      w.uint16(Number(v ?? 0));
      return;
    case 'int32':
      w.int32(Number(v ?? 0));
      return;
    case 'uint32':
      w.uint32(Number(v ?? 0));
      return;
    case 'int64':
      w.int64(typeof v === 'bigint' ? v : Number(v ?? 0));
      return;
    case 'float64':
      w.float64(Number(v ?? 0));
      return;
    case 'uuid':
      w.uuid(v instanceof Buffer ? v : Buffer.alloc(16));
      return;
    case 'string': {
      const s = v === null || v === undefined ? (inRange(version, f.nullable) ? null : '') : String(v);
      if (flexible) w.compactString(s);
      else w.string(s);
      return;
    }
    case 'bytes':
    case 'records': {
      const b = v instanceof Buffer ? v : v === null || v === undefined ? (t === 'records' ? null : Buffer.alloc(0)) : Buffer.from(String(v));
      if (flexible) w.compactBytes(b);
      else w.bytes(b);
      return;
    }
  }
}

export function isFlexible(spec: MessageSpec, version: number): boolean {
  return version >= spec.flexible;
}

export function decodeRequest(spec: MessageSpec, r: Reader, version: number): Message {
  return decodeStruct(spec.request, r, version, isFlexible(spec, version));
}

export function encodeResponse(spec: MessageSpec, w: Writer, value: Message, version: number): void {
  encodeStruct(spec.response, w, value, version, isFlexible(spec, version));
}

/** The other direction, for tests and the benchmark's raw clients. */
export function encodeRequest(spec: MessageSpec, w: Writer, value: Message, version: number): void {
  encodeStruct(spec.request, w, value, version, isFlexible(spec, version));
}
export function decodeResponse(spec: MessageSpec, r: Reader, version: number): Message {
  return decodeStruct(spec.response, r, version, isFlexible(spec, version));
}
