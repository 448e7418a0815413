import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { BedTile as Tile } from '$lib/api/types';
import BedTile from './BedTile.svelte';

const NOW = Date.parse('2026-03-02T10:00:00Z');

function tile(overrides: Partial<Tile> = {}): Tile {
  return {
    bedId: 'bed-3',
    label: 'Bed 3',
    stay: { id: 'stay-1', patientName: 'Ada Lovelace', admittedAt: '2026-03-01T08:00:00Z' },
    consent: { camera: true, wearable: false, byProxy: false, since: '2026-03-01T08:05:00Z' },
    device: { id: 'dev-1', state: 'online', lastSeenAt: '2026-03-02T09:59:30Z', sources: null },
    monitoring: { state: 'monitoring', reason: null, signalLost: [], clockOffWarningMs: null },
    latest: { windowEnd: '2026-03-02T09:59:00Z', distress: 0.72, confidence: 0.8, drivers: [] },
    sparkline: [],
    openAlert: null,
    alertSensitivity: null,
    ...overrides,
  };
}

describe('BedTile', () => {
  it('names the bed and the patient and shows the reading', () => {
    render(BedTile, { tile: tile(), now: NOW, onOpenAlert: vi.fn() });
    const article = screen.getByRole('article', { name: 'Bed 3' });
    expect(within(article).getByText('Ada Lovelace')).toBeTruthy();
    expect(within(article).getByText('Distress')).toBeTruthy();
    expect(within(article).getByRole('list', { name: 'Consent' }).textContent).toMatch(/Camera: on[\s\S]*Wearable: off/);
  });

  it('says the priority in words and opens the alert from its button', async () => {
    const onOpenAlert = vi.fn();
    const openAlert = {
      id: 'alert-9',
      kind: 'sustained_distress',
      priority: 'high',
      state: 'firing',
      summary: 'Distress high for 6 minutes',
      openedAt: '2026-03-02T09:54:00Z',
    } as const;
    render(BedTile, { tile: tile({ openAlert }), now: NOW, onOpenAlert });
    const button = screen.getByRole('button', { name: 'Bed 3: Sustained distress, open explanation' });
    expect(button.textContent).toContain('High priority');
    expect(button.textContent).toContain('Needs attention');
    expect(button.textContent).toContain('Distress high for 6 minutes');
    expect(screen.getByRole('article').classList.contains('alerting')).toBe(true);
    await fireEvent.click(button);
    expect(onOpenAlert).toHaveBeenCalledWith('alert-9', button);
  });

  it('shows an empty bed and offers admission to a charge nurse only', async () => {
    const onAction = vi.fn();
    const empty = tile({ stay: null, consent: null, latest: null });
    const { unmount } = render(BedTile, { tile: empty, now: NOW, onOpenAlert: vi.fn(), onAction });
    expect(screen.getByText('No patient')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Admit patient/ })).toBeNull();
    unmount();

    render(BedTile, { tile: empty, now: NOW, onOpenAlert: vi.fn(), onAction, canManageStays: true });
    await fireEvent.click(screen.getByRole('button', { name: 'Admit patient to Bed 3' }));
    expect(onAction).toHaveBeenCalledWith('admit', empty, expect.any(HTMLElement));
  });

  it('does not show a stale score as current and says when monitoring is interrupted', () => {
    const interrupted = tile({ monitoring: { state: 'interrupted', reason: 'Camera covered', signalLost: [], clockOffWarningMs: null } });
    render(BedTile, { tile: interrupted, now: NOW, onOpenAlert: vi.fn() });
    expect(screen.queryByText('Distress')).toBeNull();
    expect(screen.getByText(/No recent reading/)).toBeTruthy();
    expect(screen.getByText('Monitoring interrupted')).toBeTruthy();
    expect(screen.getByText(/Camera covered/)).toBeTruthy();
  });

  it('says a bed without consent is not monitored', () => {
    render(BedTile, {
      tile: tile({ consent: { camera: false, wearable: false, byProxy: false, since: '2026-03-01T08:05:00Z' } }),
      now: NOW,
      onOpenAlert: vi.fn(),
    });
    expect(screen.getByText(/No consent — not monitored/)).toBeTruthy();
    expect(screen.getByRole('link', { name: /Consent record for Ada Lovelace/ }).getAttribute('href')).toBe('/stays/stay-1');
  });
});
