// Request header v0–v2 and response header v0–v1.
//   Request Header v0 => request_api_key request_api_version correlation_id
//   Request Header v1 => … client_id (nullable STRING, never compact)
//   Request Header v2 => … client_id TAG_BUFFER
//   Response Header v0 => correlation_id;  v1 => correlation_id TAG_BUFFER
// Flexible API versions use request header v2 and response header v1 — except ApiVersions, whose
// response header is always v0 so a client can read it before it knows what the broker speaks.
// @see https://kafka.apache.org/protocol.html#protocol_messages
import { Reader, Writer } from './primitives.ts';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the fixed part (v1: key, version, correlation id, client id); tagged fields follow when `flexible`. */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function writeRequestHeader(w: Writer, h: RequestHeader, flexible: boolean): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).string(h.clientId);
  if (flexible) w.uvarint(0);
}

export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: 0 | 1): void {
  w.int32(correlationId);
  if (headerVersion === 1) w.uvarint(0);
}
