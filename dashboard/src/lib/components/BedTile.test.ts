import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { AlertSummary, BedTile as Tile } from '$lib/api/types';
import BedTile from './BedTile.svelte';

const NOW = Date.parse('2026-03-02T10:00:00Z');

function tile(overrides: Partial<Tile> = {}): Tile {
  return {
    bedId: 'bed-3',
    label: 'Bed 3',
    stay: { id: 'stay-1', patientName: 'Ada Lovelace', admittedAt: '2026-03-01T08:00:00Z' },
    consent: { camera: true, wearable: false, byProxy: false, since: '2026-03-01T08:05:00Z' },
    device: { id: 'dev-1', state: 'online', lastSeenAt: '2026-03-02T09:59:55Z', sources: null },
    monitoring: { state: 'monitoring', reason: null, signalLost: [], clockOffWarningMs: null },
    latest: { windowEnd: '2026-03-02T09:59:55Z', distress: 0.72, confidence: 0.8, drivers: [] },
    sparkline: [],
    openAlert: null,
    alertSensitivity: null,
    ...overrides,
  };
}

function openAlert(overrides: Partial<AlertSummary> = {}): AlertSummary {
  return {
    id: 'alert-9',
    kind: 'sustained_distress',
    priority: 'high',
    state: 'firing',
    summary: 'Distress high for 6 minutes',
    openedAt: '2026-03-02T09:54:00Z',
    firingSince: '2026-03-02T09:56:00Z',
    acknowledgedAt: null,
    escalationLevel: 0,
    ...overrides,
  };
}

describe('BedTile', () => {
  it('names the bed and the patient, shows the current reading, and links the timeline', () => {
    render(BedTile, { tile: tile(), now: NOW, onOpenAlert: vi.fn() });
    const article = screen.getByRole('article', { name: 'Bed 3' });
    expect(within(article).getByRole('link', { name: 'Ada Lovelace' }).getAttribute('href')).toBe('/stays/stay-1');
    expect(within(article).getByText('Distress')).toBeTruthy();
    expect(article.textContent).toContain('0.72');
    expect(article.querySelector('[title^="Confidence"]')?.getAttribute('title')).toBe('Confidence 80%');
    expect(within(article).getByRole('list', { name: 'Consent and device' }).textContent).toMatch(/Camera: on[\s\S]*Wearable: off/);
  });

  it('names the alert button by bed, priority, state and elapsed time, and opens the alert from it', async () => {
    const onOpenAlert = vi.fn();
    render(BedTile, { tile: tile({ openAlert: openAlert() }), now: NOW, onOpenAlert });
    const button = screen.getByRole('button', { name: /^Bed 3:.*High priority.*Distress high for 6 minutes.*Unacknowledged 4 min/ });
    expect(button.getAttribute('aria-label')).toBeNull();
    expect(screen.getByRole('article').classList.contains('alerting')).toBe(true);
    await fireEvent.click(button);
    expect(onOpenAlert).toHaveBeenCalledWith('alert-9', button);
  });

  it('marks an escalated alert with its level, and draws an acknowledged one calm', () => {
    const { unmount } = render(BedTile, { tile: tile({ openAlert: openAlert({ escalationLevel: 2 }) }), now: NOW, onOpenAlert: vi.fn() });
    expect(screen.getByRole('button', { name: /Escalated, level 2/ })).toBeTruthy();
    expect(screen.getByRole('article').classList.contains('escalated')).toBe(true);
    unmount();

    const acknowledged = openAlert({ state: 'acknowledged', acknowledgedAt: '2026-03-02T09:58:00Z' });
    render(BedTile, { tile: tile({ openAlert: acknowledged }), now: NOW, onOpenAlert: vi.fn() });
    const button = screen.getByRole('button', { name: /Acknowledged 2 min ago/ });
    expect(button.classList.contains('firing')).toBe(false);
    expect(screen.getByRole('article').classList.contains('alerting')).toBe(false);
    expect(screen.getByRole('article').classList.contains('handled')).toBe(true);
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

  it('offers "patient asked to stop" as a quiet one-tap button named in words', async () => {
    const onAction = vi.fn();
    render(BedTile, { tile: tile(), now: NOW, onOpenAlert: vi.fn(), onAction });
    const stop = screen.getByRole('button', { name: 'Patient asked to stop (Bed 3)' });
    expect(stop.getAttribute('title')).toBe('Patient asked to stop (Bed 3)');
    await fireEvent.click(stop);
    expect(onAction).toHaveBeenCalledWith('stop', expect.objectContaining({ bedId: 'bed-3' }), stop);
  });

  it('greys the last score with its age when monitoring is interrupted', () => {
    const interrupted = tile({ monitoring: { state: 'interrupted', reason: 'Camera covered', signalLost: [], clockOffWarningMs: null } });
    render(BedTile, { tile: interrupted, now: NOW, onOpenAlert: vi.fn() });
    expect(screen.queryByText('Distress')).toBeNull();
    expect(screen.getByText('Last reading')).toBeTruthy();
    expect(screen.getByText('Monitoring interrupted')).toBeTruthy();
    expect(screen.getByText(/Camera covered/)).toBeTruthy();
  });

  it('greys the last score of a device silent for more than 30 s, with its age', () => {
    const { container, unmount } = render(BedTile, { tile: tile(), now: Date.parse('2026-03-02T10:00:25Z'), onOpenAlert: vi.fn() });
    expect(container.querySelector('[data-score-state]')?.getAttribute('data-score-state')).toBe('current');
    unmount();

    render(BedTile, { tile: tile(), now: Date.parse('2026-03-02T10:00:40Z'), onOpenAlert: vi.fn() });
    const article = screen.getByRole('article');
    expect(article.querySelector('[data-score-state]')?.getAttribute('data-score-state')).toBe('silent');
    expect(article.textContent).toMatch(/Last reading\s*0\.72/);
    expect(article.textContent).toContain('45 s ago · device silent');
  });

  it('mutes a low-confidence score and says why', () => {
    const latest = {
      windowEnd: '2026-03-02T09:59:55Z',
      distress: 0.06,
      confidence: 0.14,
      drivers: [{ code: 'face_turned_away' as const, value: 0.8, text: 'Face turned away from the camera' }],
    };
    render(BedTile, { tile: tile({ latest }), now: NOW, onOpenAlert: vi.fn() });
    expect(screen.getByText('Low confidence: face turned away')).toBeTruthy();
    expect(screen.getByRole('article').querySelector('[data-score-state]')?.getAttribute('data-score-state')).toBe('low-confidence');
  });

  it('says a bed without consent is not monitored', () => {
    render(BedTile, {
      tile: tile({ consent: { camera: false, wearable: false, byProxy: false, since: '2026-03-01T08:05:00Z' } }),
      now: NOW,
      onOpenAlert: vi.fn(),
    });
    expect(screen.getByText(/No consent — not monitored/)).toBeTruthy();
    expect(screen.queryByText('Distress')).toBeNull();
  });

  it('greys the whole tile with the time since the last update when the board is not live', () => {
    render(BedTile, { tile: tile(), now: NOW, onOpenAlert: vi.fn(), notLiveSince: NOW - 32_000 });
    expect(screen.getByRole('article').classList.contains('stale')).toBe(true);
    expect(screen.getByTestId('tile-stale').textContent).toBe('Last update 32 s ago');
  });

  it('has nothing to press on the wall display', () => {
    render(BedTile, { tile: tile({ openAlert: openAlert() }), now: NOW });
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryAllByRole('link')).toEqual([]);
    expect(screen.getByRole('article').textContent).toContain('Unacknowledged 4 min');
  });
});
