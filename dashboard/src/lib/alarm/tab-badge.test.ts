import { afterEach, describe, expect, it } from 'vitest';
import { badgeText, TabBadge, titleWithCount } from './tab-badge';

describe('tab title and favicon count', () => {
  it('puts the count before the title and takes it away at zero', () => {
    expect(titleWithCount('Ward A · Attune', 2)).toBe('(2) Ward A · Attune');
    expect(titleWithCount('(2) Ward A · Attune', 3)).toBe('(3) Ward A · Attune');
    expect(titleWithCount('(3) Ward A · Attune', 0)).toBe('Ward A · Attune');
    expect(titleWithCount('Attune', 120)).toBe('(99+) Attune');
    expect(titleWithCount('(99+) Attune', 0)).toBe('Attune');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(12)).toBe('9+');
  });

  let badge: TabBadge | null = null;
  afterEach(() => badge?.dispose());

  it('keeps the count when a page sets its own title, and restores the plain title and icon at zero', async () => {
    document.head.innerHTML = '<title>Attune</title><link rel="icon" href="/favicon.svg">';
    badge = new TabBadge(document);
    badge.set(2);
    expect(document.title).toBe('(2) Attune');
    document.title = 'Ward A · Attune';
    await new Promise((r) => setTimeout(r, 0));
    expect(document.title).toBe('(2) Ward A · Attune');
    badge.set(0);
    expect(document.title).toBe('Ward A · Attune');
    expect(document.querySelector('link[rel="icon"]')?.getAttribute('href')).toBe('/favicon.svg');
  });
});
