import { describeError } from './api/client';

/**
 * One change an IT page asks of the server (save, rotate, revoke, make a token): its buttons are
 * disabled while it runs, then the page says what it did or why it failed, in words. `reload` asks
 * for the page's data again after each try, done or failed, and the words appear only once it has
 * answered: a notice saying "decommissioned" beside facts still saying "enrolled" would contradict itself.
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
    let said: string | void = undefined;
    let failed: string | null = null;
    try {
      said = await change();
    } catch (err) {
      failed = this.#words(err);
    }
    try {
      await this.#reload();
    } finally {
      this.busy = false;
      this.error = failed;
      this.message = said || null;
    }
  }

  /** Forgets the last message and error (a new question is being asked). */
  clear(): void {
    this.error = null;
    this.message = null;
  }
}
