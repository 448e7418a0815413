import { render, screen } from '@testing-library/svelte';
import { createRawSnippet, flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';

vi.mock('$lib/api/client', () => ({ describeError: (err: Error) => `Could not load: ${err.message}` }));

import { Fetched } from '$lib/fetched.svelte';
import FetchedView from './FetchedView.svelte';

// render() cannot infer the component's type parameter: the snippet takes what FetchedView gives.
const names = createRawSnippet((list: () => unknown) => ({ render: () => `<p>${(list() as string[]).join(', ')}</p>` }));

describe('FetchedView', () => {
  it('says it is loading, then shows the answer; a failed reload keeps the answer and says why', async () => {
    const request = vi
      .fn<() => Promise<string[]>>()
      .mockResolvedValueOnce(['Ward A', 'Ward B'])
      .mockRejectedValueOnce(new Error('offline'));
    const fetched = new Fetched(request);
    render(FetchedView, { fetched, loading: 'Loading wards…', children: names });
    expect(screen.getByRole('status').textContent).toBe('Loading wards…');

    await fetched.load();
    flushSync();
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.getByText('Ward A, Ward B')).toBeTruthy();

    await fetched.load();
    flushSync();
    expect(screen.getByRole('alert').textContent).toContain('Could not load: offline');
    expect(screen.getByText('Ward A, Ward B')).toBeTruthy();
  });

  it('says why the first request failed, without "Loading…"', async () => {
    const fetched = new Fetched(() => Promise.reject(new Error('forbidden')));
    render(FetchedView, { fetched, loading: 'Loading wards…', children: names });
    await fetched.load();
    flushSync();
    expect(screen.getByRole('alert').textContent).toContain('Could not load: forbidden');
    expect(screen.queryByRole('status')).toBeNull();
  });
});
