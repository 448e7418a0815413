/**
 * Which strings Attune stores. PostgreSQL's text and jsonb refuse U+0000, and JSON text with a
 * lone surrogate cannot be encoded as UTF-8, so one such character in one message used to make a
 * whole batch insert fail. Control characters and Unicode non-characters have no place in a
 * name, a note or an identifier either (they hide text, break logs and terminals). Every string
 * that crosses MQTT or HTTP and is stored passes `unsafeTextReason` first: one rule for every door.
 */

/** C0 controls (U+0000-U+001F), DEL and C1 controls (U+007F-U+009F). */
const isControl = (unit: number) => unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** Unicode non-characters: U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE, ...). */
function isNonCharacter(codePoint: number): boolean {
  return (codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe;
}

/**
 * Why `text` may not be stored, in words naming the offending code point and its position (never
 * the text itself), or null when it is safe. `allowLineBreaks` lets multi-line fields (a nurse's
 * note) keep LF, CR and TAB.
 */
export function unsafeTextReason(text: string, options: { allowLineBreaks?: boolean } = {}): string | null {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return `contains a lone surrogate (${hex(unit)}) at position ${i}`;
      const codePoint = (unit - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
      if (isNonCharacter(codePoint)) return `contains a Unicode non-character (${hex(codePoint)}) at position ${i}`;
      i++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return `contains a lone surrogate (${hex(unit)}) at position ${i}`;
    if (isControl(unit)) {
      if (options.allowLineBreaks && (unit === 0x0a || unit === 0x0d || unit === 0x09)) continue;
      return `contains a control character (${hex(unit)}) at position ${i}`;
    }
    if (isNonCharacter(unit)) return `contains a Unicode non-character (${hex(unit)}) at position ${i}`;
  }
  return null;
}

/** True when `text` may be stored (see `unsafeTextReason`). */
export function isSafeText(text: string, options: { allowLineBreaks?: boolean } = {}): boolean {
  return unsafeTextReason(text, options) === null;
}
