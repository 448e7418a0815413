import { describeError } from './api/client';

/**
 * What a page shows from one server request: the last answer (null until the first) and, when the
 * latest request failed, why in words. A failed request keeps the last answer on screen.
 */
export class Fetched<T> {
  value = $state<T | null>(null);
  error = $state<string | null>(null);
  readonly #request: () => Promise<T>;

  constructor(request: () => Promise<T>) {
    this.#request = request;
  }

  /** Asks the server again. */
  async load(): Promise<void> {
    try {
      this.value = await this.#request();
      this.error = null;
    } catch (err) {
      this.error = describeError(err);
    }
  }
}
