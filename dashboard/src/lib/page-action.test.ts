import { describe, expect, it, vi } from 'vitest';
import { PageAction } from './page-action.svelte';

// The client's module reaches SvelteKit's router; its words for an error are not what is tested here.
vi.mock('./api/client', () => ({ describeError: (err: unknown) => String(err) }));

describe('PageAction', () => {
  it('says what a change did, is busy only while it runs, and asks for the data again after', async () => {
    let reloads = 0;
    const action = new PageAction({ reload: async () => void reloads++ });
    let busyInside = false;
    await action.run(async () => {
      busyInside = action.busy;
      return 'Saved.';
    });
    expect({ busyInside, busy: action.busy, message: action.message, error: action.error, reloads }).toEqual({
      busyInside: true,
      busy: false,
      message: 'Saved.',
      error: null,
      reloads: 1,
    });
  });

  it('says what it did only once the page data has been read again, so the notice never contradicts it', async () => {
    let answer: () => void = () => {};
    const action = new PageAction({ reload: () => new Promise<void>((resolve) => (answer = resolve)) });
    const running = action.run(async () => 'Decommissioned.');
    await new Promise((resolve) => setTimeout(resolve, 10)); // the change has answered; the reload has not
    const beforeReload = { busy: action.busy, message: action.message };
    answer();
    await running;
    expect({ beforeReload, busy: action.busy, message: action.message }).toEqual({
      beforeReload: { busy: true, message: null },
      busy: false,
      message: 'Decommissioned.',
    });
  });

  it('says why a change failed in the page words, forgets the last message, and still reloads', async () => {
    let reloads = 0;
    const action = new PageAction({ reload: async () => void reloads++, words: (err) => `Not saved: ${(err as Error).message}` });
    await action.run(async () => 'Saved.');
    await action.run(async () => {
      throw new Error('the name is taken');
    });
    expect({ message: action.message, error: action.error, reloads }).toEqual({
      message: null,
      error: 'Not saved: the name is taken',
      reloads: 2,
    });
  });
});
