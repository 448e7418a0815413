import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert, AlertEvent } from '$lib/api/types';

const api = vi.hoisted(() => ({ getAlert: vi.fn(), acknowledgeAlert: vi.fn(), resolveAlert: vi.fn() }));
vi.mock('$lib/api/client', () => ({
  ...api,
  ApiError: class ApiError extends Error {},
  describeError: (err: unknown) => (err instanceof Error ? err.message : 'Something went wrong'),
}));
vi.mock('$lib/live.svelte', () => ({ live: { subscribe: () => () => {} } }));

const { default: AlertDialog } = await import('./AlertDialog.svelte');

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'alert-1',
    kind: 'sustained_distress',
    category: 'clinical',
    priority: 'high',
    state: 'firing',
    conditionActive: true,
    wardId: 'ward-1',
    bedId: 'bed-3',
    bedLabel: 'Bed 3',
    stayId: 'stay-1',
    patientName: 'Ada Lovelace',
    deviceId: 'dev-1',
    openedAt: '2026-03-02T09:54:00Z',
    updatedAt: '2026-03-02T09:54:00Z',
    conditionClearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    outcome: null,
    note: null,
    explanation: {
      summary: 'Distress high for 6 minutes',
      evidence: [{ signal: 'heart_rate', text: 'above baseline', value: 96, unit: 'bpm', threshold: null, baseline: 72, durationS: 360 }],
      painad: [],
      unobserved: ['Breathing (no chest view)'],
      models: { distress: '1.2.0' },
    },
    ...overrides,
  } as Alert;
}

const EVENTS: AlertEvent[] = [{ id: 'ev-1', at: '2026-03-02T09:54:00Z', type: 'opened', actor: null, detail: {} }] as AlertEvent[];

beforeEach(() => {
  vi.clearAllMocks();
  // happy-dom's <dialog> needs these to behave like a browser's modal.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
});

describe('AlertDialog', () => {
  it('explains the alert: kind, bed, patient, priority in words, evidence and what was not observed', async () => {
    api.getAlert.mockResolvedValue({ alert: alert(), events: EVENTS });
    render(AlertDialog, { alertId: 'alert-1', onClose: vi.fn() });
    expect(await screen.findByRole('heading', { name: 'Sustained distress — Bed 3, Ada Lovelace' })).toBeTruthy();
    expect(api.getAlert).toHaveBeenCalledWith('alert-1');
    expect(screen.getByText('High priority')).toBeTruthy();
    expect(screen.getByText('Distress high for 6 minutes')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Evidence' })).toBeTruthy();
    expect(screen.getByRole('table').textContent).toContain("patient's baseline");
    expect(screen.getByText('Breathing (no chest view)')).toBeTruthy();
    expect(screen.getByText('History (1)')).toBeTruthy();
  });

  it('acknowledges through the API, tells the parent and says who acknowledged', async () => {
    api.getAlert.mockResolvedValue({ alert: alert(), events: EVENTS });
    const acknowledged = alert({ state: 'acknowledged', acknowledgedAt: '2026-03-02T09:56:00Z', acknowledgedBy: 'Nurse Joy' });
    api.acknowledgeAlert.mockResolvedValue(acknowledged);
    const onChange = vi.fn();
    render(AlertDialog, { alertId: 'alert-1', onClose: vi.fn(), onChange });
    await fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    expect(api.acknowledgeAlert).toHaveBeenCalledWith('alert-1');
    await waitFor(() => expect(onChange).toHaveBeenCalledWith(acknowledged));
    expect((await screen.findByRole('status')).textContent).toMatch(/Acknowledged by Nurse Joy at/);
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });

  it('asks for an outcome before resolving, then resolves with the outcome and note', async () => {
    api.getAlert.mockResolvedValue({ alert: alert({ state: 'acknowledged' }), events: EVENTS });
    api.resolveAlert.mockResolvedValue(alert({ state: 'resolved', outcome: 'comforted' }));
    render(AlertDialog, { alertId: 'alert-1', onClose: vi.fn() });
    const resolve = await screen.findByRole('button', { name: 'Resolve' });
    await fireEvent.click(resolve);
    expect(screen.getByText('Choose an outcome first.')).toBeTruthy();
    expect(api.resolveAlert).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('radio', { name: 'Comforted' }));
    expect(screen.queryByText('Choose an outcome first.')).toBeNull();
    await fireEvent.input(screen.getByRole('textbox', { name: /Note/ }), { target: { value: 'Repositioned' } });
    await fireEvent.click(resolve);
    expect(api.resolveAlert).toHaveBeenCalledWith('alert-1', 'comforted', 'Repositioned');
    expect((await screen.findByRole('status')).textContent).toContain('Resolved: Comforted.');
  });

  it('says in words when the explanation could not be loaded', async () => {
    api.getAlert.mockRejectedValue(new Error('The server did not answer'));
    render(AlertDialog, { alertId: 'alert-1', onClose: vi.fn() });
    expect((await screen.findByRole('alert')).textContent).toContain('The server did not answer');
    expect(screen.getByRole('heading', { name: 'Alert explanation' })).toBeTruthy();
  });

  it('on closing hands focus back to the element that opened it, or to the page heading when that is gone', async () => {
    api.getAlert.mockResolvedValue({ alert: alert(), events: EVENTS });
    const heading = document.body.appendChild(document.createElement('main')).appendChild(document.createElement('h1'));
    heading.tabIndex = -1;
    const opener = document.body.appendChild(document.createElement('button'));
    const onClose = vi.fn();
    const { rerender } = render(AlertDialog, { alertId: 'alert-1', trigger: opener, onClose });
    await fireEvent.click(await screen.findByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledOnce();
    expect(document.activeElement).toBe(opener);

    // The page clears the id on close, as the pages do; the alert opens again after its opener went away.
    await rerender({ alertId: null, trigger: opener, onClose });
    opener.remove();
    await rerender({ alertId: 'alert-1', trigger: opener, onClose });
    await fireEvent.click(await screen.findByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(document.activeElement).toBe(heading);
  });
});
