/**
 * The unacknowledged count where a nurse in another tab or app still sees it: "(2) " before the
 * page's title, and a red badge drawn on the favicon; at zero the plain title and icon come back.
 * Pages set their own titles (svelte:head), so the prefix is put back whenever the title changes.
 */

const PREFIX = /^\(\d+\+?\) /;

/** "(2) Ward A · Attune"; the plain title at zero. */
export function titleWithCount(title: string, count: number): string {
  const plain = title.replace(PREFIX, '');
  return count > 0 ? `(${count > 99 ? '99+' : count}) ${plain}` : plain;
}

/** What the favicon badge says: at most two characters fit. */
export function badgeText(count: number): string {
  return count > 9 ? '9+' : String(count);
}

const ICON_PX = 64;

export class TabBadge {
  #doc: Document;
  #count = 0;
  #observer: MutationObserver | null = null;
  #link: HTMLLinkElement | null;
  #plainHref: string | null;
  /** Counts draws, so a slow icon load never paints an older count over a newer one. */
  #drawn = 0;

  constructor(doc: Document = document) {
    this.#doc = doc;
    this.#link = doc.querySelector<HTMLLinkElement>('link[rel~="icon"]');
    this.#plainHref = this.#link?.getAttribute('href') ?? null;
    if (typeof MutationObserver !== 'undefined') {
      this.#observer = new MutationObserver(() => this.#applyTitle());
      this.#observer.observe(doc.head, { subtree: true, childList: true, characterData: true });
    }
  }

  set(count: number): void {
    if (count === this.#count) return;
    this.#count = count;
    this.#applyTitle();
    void this.#applyIcon();
  }

  /** Back to the plain title and icon, for sign-out. */
  dispose(): void {
    this.set(0);
    this.#observer?.disconnect();
    this.#observer = null;
  }

  #applyTitle(): void {
    const wanted = titleWithCount(this.#doc.title, this.#count);
    if (this.#doc.title !== wanted) this.#doc.title = wanted;
  }

  async #applyIcon(): Promise<void> {
    const link = this.#link;
    if (!link || this.#plainHref === null) return;
    const draw = ++this.#drawn;
    const count = this.#count;
    if (count === 0) {
      link.setAttribute('href', this.#plainHref);
      delete link.dataset.badgeCount;
      return;
    }
    const url = await this.#draw(count);
    if (draw !== this.#drawn || !url) return;
    link.setAttribute('href', url);
    link.dataset.badgeCount = String(count);
  }

  async #draw(count: number): Promise<string | null> {
    const canvas = this.#doc.createElement('canvas');
    canvas.width = ICON_PX;
    canvas.height = ICON_PX;
    const g = canvas.getContext('2d');
    if (!g) return null;
    const icon = await this.#loadPlainIcon();
    if (icon) g.drawImage(icon, 0, 0, ICON_PX, ICON_PX);
    else {
      g.fillStyle = '#0b4f6c';
      g.fillRect(0, 0, ICON_PX, ICON_PX);
    }
    // A red disc with a white ring, top right, large enough to read at 16 px.
    const r = ICON_PX * 0.3;
    const cx = ICON_PX - r;
    const cy = r;
    g.beginPath();
    g.arc(cx, cy, r, 0, Math.PI * 2);
    g.fillStyle = '#c8102e';
    g.fill();
    g.lineWidth = 4;
    g.strokeStyle = '#fff';
    g.stroke();
    g.fillStyle = '#fff';
    g.font = `bold ${Math.round(r * 1.3)}px sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(badgeText(count), cx, cy + 1);
    return canvas.toDataURL('image/png');
  }

  #loadPlainIcon(): Promise<HTMLImageElement | null> {
    return new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => resolve(null);
      img.src = this.#plainHref!;
    });
  }
}
