/**
 * Checks that an outgoing payload (or a file the agent wrote) cannot be carrying media: size,
 * long base64/hex-like runs, and the magic bytes of common image and video containers. Used by
 * the privacy tests on everything the agent publishes and leaves on disk.
 */
export const MAX_BASE64_RUN = 64;

export const MEDIA_SIGNATURES: readonly { name: string; bytes: readonly number[] }[] = [
  { name: 'JPEG', bytes: [0xff, 0xd8, 0xff] },
  { name: 'PNG', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'RIFF (WebP/AVI/WAV)', bytes: [0x52, 0x49, 0x46, 0x46] },
  { name: 'GIF', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'ISO-BMFF (MP4/MOV/HEIC)', bytes: [0x66, 0x74, 0x79, 0x70] },
];

const BASE64_RUN = new RegExp(`[A-Za-z0-9+/=_-]{${MAX_BASE64_RUN + 1},}`);

export interface AuditFinding {
  problem: 'too_large' | 'base64_run' | 'media_magic';
  detail: string;
}

function indexOfBytes(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Every reason the bytes could be smuggling media (empty when clean). */
export function auditPayload(bytes: Uint8Array, maxBytes = 4096): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (bytes.byteLength > maxBytes) findings.push({ problem: 'too_large', detail: `${bytes.byteLength} bytes > ${maxBytes}` });
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const run = BASE64_RUN.exec(text);
  if (run) findings.push({ problem: 'base64_run', detail: `${run[0].length}-character run at ${run.index}` });
  for (const sig of MEDIA_SIGNATURES) {
    const at = indexOfBytes(bytes, sig.bytes);
    if (at >= 0) findings.push({ problem: 'media_magic', detail: `${sig.name} signature at byte ${at}` });
  }
  return findings;
}
