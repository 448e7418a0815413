import { describe, expect, it } from 'vitest';
import { auditPayload } from './payload-audit.ts';

describe('auditPayload', () => {
  it('passes an ordinary score window', () => {
    const json = JSON.stringify({ v: 1, fused: { distress: 0.2, drivers: ['brow lowered and eyes tightened in 70% of frames'] } });
    expect(auditPayload(Buffer.from(json))).toEqual([]);
  });

  it('flags size, long base64 runs and image/video magic bytes', () => {
    expect(auditPayload(Buffer.alloc(5000, 0x20)).map((f) => f.problem)).toEqual(['too_large']);
    expect(auditPayload(Buffer.from(`{"x":"${'QUJD'.repeat(17)}"}`)).map((f) => f.problem)).toEqual(['base64_run']);
    expect(auditPayload(Buffer.from(`{"x":"${'QUJD'.repeat(16)}"}`))).toEqual([]); // 64 is allowed
    const magics = [
      [0xff, 0xd8, 0xff],
      [0x89, 0x50, 0x4e, 0x47],
      [0x52, 0x49, 0x46, 0x46],
      [0x47, 0x49, 0x46, 0x38],
      [0x66, 0x74, 0x79, 0x70],
    ];
    for (const magic of magics) {
      const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from(magic), Buffer.from('"}')]);
      expect(auditPayload(bytes).map((f) => f.problem)).toEqual(['media_magic']);
    }
  });
});
