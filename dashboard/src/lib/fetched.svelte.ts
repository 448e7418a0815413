import { describeError } from './api/client';

/**
 * What a page shows from one server request: the last answer (null until the first) and, when the
 * latest request failed, why in words. A failed request keeps the last answer on screen.
 */
export class Fetched<T> {
  value = $state<T | null>(null);
  error = $state<string | null>(null);
  readonly #request: () => Promise<T>;
  #latest = 0;

  constructor(request: () => Promise<T>) {
    this.#request = request;
  }

  /** Asks the server again; only the latest request's answer counts (a slower earlier one is dropped). */
  async load(): Promise<void> {
    const mine = ++this.#latest;
    try {
      const value = await this.#request();
      if (mine !== this.#latest) return;
      this.value = value;
      this.error = null;
    } catch (err) {
      if (mine === this.#latest) this.error = describeError(err);
    }
  }
}
