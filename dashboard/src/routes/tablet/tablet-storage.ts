/**
 * What the tablet remembers in localStorage: its language, its ward, and whether it was paired
 * (which only changes the words of the pairing screen). Storage may be unavailable (private
 * mode, a locked-down kiosk): every read falls back and every write may silently not persist.
 */
import { isLang, type Lang } from '$lib/i18n';

const LANG_KEY = 'attune.tablet.language';
const PAIRED_KEY = 'attune.tablet.paired';
/** The ward this tablet is on, `{ id, name }`: a tablet lives on one ward, so it is asked once. */
const WARD_KEY = 'attune.tablet.ward';

export type TabletWardChoice = { id: string; name: string | null };

export function storedLang(): Lang {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // Storage may be unavailable; English it is.
  }
  return 'en';
}

export function setStoredLang(l: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, l);
  } catch {
    // Not remembered across reloads; the choice still applies now.
  }
}

export function rememberPaired(paired: boolean): void {
  try {
    if (paired) localStorage.setItem(PAIRED_KEY, '1');
    else localStorage.removeItem(PAIRED_KEY);
  } catch {
    // Only changes which words the pairing screen uses.
  }
}

export function wasPaired(): boolean {
  try {
    return localStorage.getItem(PAIRED_KEY) === '1';
  } catch {
    return false;
  }
}

export function storedWard(): TabletWardChoice | null {
  try {
    const saved = JSON.parse(localStorage.getItem(WARD_KEY) ?? 'null') as unknown;
    if (saved && typeof saved === 'object' && typeof (saved as { id?: unknown }).id === 'string') {
      const { id, name } = saved as { id: string; name?: unknown };
      return { id, name: typeof name === 'string' ? name : null };
    }
  } catch {
    // Unreadable: ask again.
  }
  return null;
}

export function setStoredWard(next: TabletWardChoice | null): void {
  try {
    if (next) localStorage.setItem(WARD_KEY, JSON.stringify(next));
    else localStorage.removeItem(WARD_KEY);
  } catch {
    // Not remembered across reloads; the choice still applies now.
  }
}
