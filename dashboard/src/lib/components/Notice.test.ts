import { render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import Notice from './Notice.svelte';

const text = (words: string) => createRawSnippet(() => ({ render: () => `<span>${words}</span>` }));

describe('Notice', () => {
  it('is an alert with exactly its words, so messages read and match as before', () => {
    render(Notice, { kind: 'error', role: 'alert', children: text('Could not load.') });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('Could not load.');
    expect(alert.classList.contains('error')).toBe(true);
    expect(alert.hasAttribute('tabindex')).toBe(false);
  });

  it('puts the icon before the words with one space, and takes focus when asked to', () => {
    render(Notice, { kind: 'success', role: 'status', icon: 'check', focusable: true, id: 'done', children: text('Saved.') });
    const status = screen.getByRole('status');
    expect(status.querySelector('svg')).not.toBeNull();
    expect(status.textContent).toBe(' Saved.');
    expect(status.getAttribute('tabindex')).toBe('-1');
    expect(status.id).toBe('done');
  });
});
