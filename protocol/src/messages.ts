/** Topic-to-payload map and the one decoding path every receiver uses. */
import type { z } from 'zod';
import { ConsentMessageSchema, DeviceStatusSchema, MAX_PAYLOAD_BYTES, ScoreWindowSchema } from './schemas.ts';
import type { TopicKind } from './topics.ts';

export const payloadSchemas = {
  scores: ScoreWindowSchema,
  status: DeviceStatusSchema,
  consent: ConsentMessageSchema,
} as const satisfies Record<TopicKind, z.ZodType>;

/** The payload type carried on each topic kind. */
export type TopicPayloads = { [K in TopicKind]: z.infer<(typeof payloadSchemas)[K]> };

/** Why a payload was refused; these are the `reason` labels of rejection metrics. */
export type DecodeRejection = 'oversized' | 'not_json' | 'schema';

export type DecodeResult<K extends TopicKind> =
  { ok: true; value: TopicPayloads[K] } | { ok: false; reason: DecodeRejection; errors: string[] };

/**
 * Decodes raw MQTT payload bytes for a topic kind. The size limit is checked before parsing so
 * an oversized message costs nothing; `errors` name fields and rules, never the payload content.
 */
export function decodePayload<K extends TopicKind>(kind: K, payload: Uint8Array): DecodeResult<K> {
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
  if (!result.success) {
    return {
      ok: false,
      reason: 'schema',
      errors: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  return { ok: true, value: result.data as TopicPayloads[K] };
}

/** Encodes a payload after validating it, so a producer can never publish an invalid message. */
export function encodePayload<K extends TopicKind>(kind: K, value: TopicPayloads[K]): Buffer {
  const parsed = payloadSchemas[kind].parse(value);
  const bytes = Buffer.from(JSON.stringify(parsed));
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
    throw new Error(`${kind} payload is ${bytes.byteLength} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`);
  }
  return bytes;
}
