/** Topic-to-payload map and the one decoding path every receiver uses. */
import type { z } from 'zod';
import {
  ConsentMessageSchema,
  DeviceConfigSchema,
  DeviceStatusSchema,
  MAX_PAYLOAD_BYTES,
  ScoreWindowSchema,
  ServerTimeSchema,
} from './schemas.ts';
import type { TopicKind } from './topics.ts';

/** Each kind of message: the three device topic kinds and the server's clock. */
export type MessageKind = TopicKind | 'serverTime';

export const payloadSchemas = {
  scores: ScoreWindowSchema,
  status: DeviceStatusSchema,
  consent: ConsentMessageSchema,
  config: DeviceConfigSchema,
  serverTime: ServerTimeSchema,
} as const satisfies Record<MessageKind, z.ZodType>;

/** The payload type carried by each kind of message. */
export type TopicPayloads = { [K in MessageKind]: z.infer<(typeof payloadSchemas)[K]> };

/** Why a payload was refused; these are the `reason` labels of rejection metrics. */
export type DecodeRejection = 'oversized' | 'not_json' | 'schema';

export type DecodeResult<K extends MessageKind> =
  { ok: true; value: TopicPayloads[K] } | { ok: false; reason: DecodeRejection; errors: string[] };

/**
 * Decodes raw MQTT payload bytes for a topic kind. The size limit is checked before parsing so
 * an oversized message costs nothing; `errors` name fields and rules, never the payload content.
 */
export function decodePayload<K extends MessageKind>(kind: K, payload: Uint8Array): DecodeResult<K> {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: 'oversized', errors: [`payload is ${payload.byteLength} bytes, limit ${MAX_PAYLOAD_BYTES}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, reason: 'not_json', errors: ['payload is not UTF-8 JSON'] };
  }
  const result = payloadSchemas[kind].safeParse(json);
  if (!result.success) return { ok: false, reason: 'schema', errors: result.error.issues.map(describeIssue) };
  return { ok: true, value: result.data as TopicPayloads[K] };
}

/** Every field name the protocol declares; a key outside this set is payload content and is never echoed. */
const FIELD_NAMES: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  const visit = (schema: unknown, seen: Set<unknown>) => {
    if (!schema || seen.has(schema)) return;
    seen.add(schema);
    const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    if (def.type === 'object') {
      for (const [name, child] of Object.entries(def.shape as Record<string, unknown>)) {
        names.add(name);
        visit(child, seen);
      }
    }
    for (const key of ['element', 'innerType', 'valueType', 'in', 'out'] as const) visit(def[key], seen);
    for (const option of (def.options as unknown[] | undefined) ?? []) visit(option, seen);
  };
  for (const schema of Object.values(payloadSchemas)) visit(schema, new Set());
  return names;
})();

/**
 * One rejection reason in words: the field path and the rule, never the payload's content. Path
 * segments that are not protocol field names (record keys, unknown keys) are shown as `*`.
 */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' || FIELD_NAMES.has(String(p)) ? String(p) : '*')).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const known = issue.keys.filter((k) => FIELD_NAMES.has(k));
    const unknownCount = issue.keys.length - known.length;
    const parts = [...known.map((k) => `"${k}"`), ...(unknownCount > 0 ? [`${unknownCount} other`] : [])];
    return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${parts.join(', ')} (no field may be added)`;
  }
  return `${path}: ${issue.message}`;
}

/** Encodes a payload after validating it, so a producer can never publish an invalid message. */
export function encodePayload<K extends MessageKind>(kind: K, value: TopicPayloads[K]): Buffer {
  const parsed = payloadSchemas[kind].parse(value);
  const bytes = Buffer.from(JSON.stringify(parsed));
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
    throw new Error(`${kind} payload is ${bytes.byteLength} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`);
  }
  return bytes;
}
