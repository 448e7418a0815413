import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Alert } from '$lib/api/types';
import AlertList from './AlertList.svelte';

const alert = (id: string, summary: string, state = 'firing') =>
  ({ id, priority: 'high', state, explanation: { summary } }) as unknown as Alert;
const lines = createRawSnippet((a: () => Alert) => ({ render: () => `<span>${a().explanation.summary}</span>` }));

describe('AlertList', () => {
  it('is a button per alert: the priority in words, then the caller’s lines; it opens the alert from its button', async () => {
    const onOpen = vi.fn();
    render(AlertList, { alerts: [alert('a1', 'Distress high'), alert('a2', 'Device offline')], onOpen, lines });
    expect(screen.getByRole('list').tagName).toBe('UL');
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual([
      expect.stringMatching(/High priority[\s\S]*Needs attention[\s\S]*Distress high/),
      expect.stringMatching(/Device offline/),
    ]);
    await fireEvent.click(buttons[1]!);
    expect(onOpen).toHaveBeenCalledWith('a2', buttons[1]);
  });

  it('is an ordered list of cards when asked', () => {
    render(AlertList, { alerts: [alert('a1', 'Distress high')], onOpen: vi.fn(), lines, ordered: true, cards: true });
    expect(screen.getByRole('list').tagName).toBe('OL');
    expect(screen.getByRole('button').classList.contains('card')).toBe(true);
  });

  it('draws what the caller adds in `more` after the button, outside its name, and a handled alert’s badge calm', () => {
    const more = createRawSnippet((a: () => Alert) => ({ render: () => `<p>Note for ${a().id}</p>` }));
    render(AlertList, {
      alerts: [alert('a1', 'Distress high'), alert('a2', 'Resolved one', 'resolved')],
      onOpen: vi.fn(),
      lines,
      more,
      cards: true,
    });
    const [firing, resolved] = screen.getAllByRole('listitem');
    expect(firing!.textContent).toContain('Note for a1');
    expect(screen.getAllByRole('button')[0]!.textContent).not.toContain('Note for a1');
    expect(firing!.querySelector('.alert-badge')!.classList.contains('handled')).toBe(false);
    expect(resolved!.querySelector('.alert-badge')!.classList.contains('handled')).toBe(true);
  });
});
