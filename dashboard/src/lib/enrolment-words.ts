/** Words for enrolment tokens on IT's pages. */
import { formatDateTime } from './format';

/** "in 24 hours (4 Dec, 14:05)", "in 35 minutes (…)", "expired (…)" */
export function expiryInWords(expiresAt: string, nowMs: number): string {
  const at = formatDateTime(expiresAt);
  const minutes = Math.round((Date.parse(expiresAt) - nowMs) / 60_000);
  if (minutes <= 0) return `expired (${at})`;
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? '' : 's'} (${at})`;
  const hours = Math.round(minutes / 60);
  return `in ${hours} hours (${at})`;
}
