import { describeError } from './api/client';

/**
 * One change an IT page asks of the server (save, rotate, revoke, make a token): its buttons are
 * disabled while it runs, then the page says what it did or why it failed, in words. `reload` asks
 * for the page's data again after each try, done or failed.
 */
export class PageAction {
  busy = $state(false);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  readonly #reload: () => Promise<void>;
  readonly #words: (err: unknown) => string;

  constructor({ reload = async () => {}, words = describeError }: { reload?: () => Promise<void>; words?: (err: unknown) => string } = {}) {
    this.#reload = reload;
    this.#words = words;
  }

  /** Runs the change; the words it returns, if any, become the message. */
  async run(change: () => Promise<string | void>): Promise<void> {
    this.busy = true;
    this.clear();
    try {
      const said = await change();
      if (said) this.message = said;
    } catch (err) {
      this.error = this.#words(err);
    } finally {
      this.busy = false;
      await this.#reload();
    }
  }

  /** Forgets the last message and error (a new question is being asked). */
  clear(): void {
    this.error = null;
    this.message = null;
  }
}
