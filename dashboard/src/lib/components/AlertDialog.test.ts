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
const { firingAlert } = await import('$lib/alarm/test-fakes');

/** Bed 3's firing high alert with evidence, a model and what was not observed. */
function alert(overrides: Partial<Alert> = {}): Alert {
  return firingAlert('alert-1', {
    bedId: 'bed-3',
    bedLabel: 'Bed 3',
    patientName: 'Ada Lovelace',
    openedAt: '2026-03-02T09:54:00Z',
    firingSince: '2026-03-02T09:54:00Z',
    explanation: {
      summary: 'Distress high for 6 minutes',
      evidence: [{ signal: 'heart_rate', text: 'above baseline', value: 96, unit: 'bpm', threshold: null, baseline: 72, durationS: 360 }],
      painad: [],
      unobserved: ['Breathing (no chest view)'],
      models: { distress: '1.2.0' },
    },
    ...overrides,
  });
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
    expect(screen.getByRole('heading', { name: 'History' })).toBeTruthy();
    expect(screen.getByTestId('alert-history').textContent).toContain('Opened');
  });

  it('puts Acknowledge and where the alert stands first, the summary next, the evidence after and the history last', async () => {
    const firingSince = new Date(Date.now() - 4 * 60_000 - 10_000).toISOString();
    api.getAlert.mockResolvedValue({ alert: alert({ firingSince }), events: EVENTS });
    render(AlertDialog, { alertId: 'alert-1', onClose: vi.fn() });
    const acknowledge = await screen.findByRole('button', { name: 'Acknowledge' });
    expect(screen.getByTestId('alert-standing').textContent).toContain('Unacknowledged 4 min');
    const inOrder = [
      acknowledge,
      screen.getByText('Distress high for 6 minutes'),
      screen.getByRole('heading', { name: 'Evidence' }),
      screen.getByRole('heading', { name: 'Not observed' }),
      screen.getByRole('heading', { name: 'History' }),
    ];
    for (const [i, el] of inOrder.entries()) {
      if (i > 0) expect(inOrder[i - 1]!.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    }
    // While it fires, resolving waits behind a button, so Acknowledge stays on the first screen.
    expect(screen.queryByRole('radio', { name: 'Comforted' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Resolve…' }));
    expect(screen.getByRole('radio', { name: 'Comforted' })).toBeTruthy();
  });

  it('says how long ago and by whom a handled alert was acknowledged, its escalation level, and each escalation in its history', async () => {
    const acknowledgedAt = new Date(Date.now() - 3 * 60_000).toISOString();
    const handled = alert({
      state: 'acknowledged',
      acknowledgedAt,
      acknowledgedBy: 'Nurse Joy',
      escalationLevel: 2,
      escalatedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    });
    const events = [
      ...EVENTS,
      { id: 'ev-2', at: '2026-03-02T09:56:00Z', type: 'escalated', actor: null, detail: { from: 'medium', to: 'high' } },
      { id: 'ev-3', at: '2026-03-02T09:58:00Z', type: 'escalated', actor: null, detail: { level: 1, unacknowledgedS: 120 } },
      { id: 'ev-4', at: '2026-03-02T10:00:00Z', type: 'escalated', actor: null, detail: { level: 2, unacknowledgedS: 240 } },
      { id: 'ev-5', at: acknowledgedAt, type: 'acknowledged', actor: 'Nurse Joy', detail: {} },
    ] as AlertEvent[];
    api.getAlert.mockResolvedValue({ alert: handled, events });
    render(AlertDialog, { alertId: 'alert-1', onClose: vi.fn() });
    const standing = await screen.findByTestId('alert-standing');
    expect(standing.textContent).toContain('Acknowledged 3 min ago by Nurse Joy');
    expect(standing.textContent).toContain('Escalated to level 2');
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    // Acknowledged: resolving is the next step, its form open.
    expect(screen.getByRole('radio', { name: 'Comforted' })).toBeTruthy();
    const history = screen.getByTestId('alert-history').textContent ?? '';
    expect(history).toContain('Priority rose from medium to high');
    expect(history).toContain('Escalated to level 1: unacknowledged 2 min');
    expect(history).toContain('Escalated to level 2: unacknowledged 4 min');
    expect(history).toContain('Acknowledged by Nurse Joy');
    // The priority badge of a handled alert is drawn calm.
    expect(document.querySelector('.alert-badge')?.classList.contains('handled')).toBe(true);
  });

  it('acknowledges through the API, tells the parent and says who acknowledged', async () => {
    const acknowledged = alert({ state: 'acknowledged', acknowledgedAt: '2026-03-02T09:56:00Z', acknowledgedBy: 'Nurse Joy' });
    // The dialog reloads the alert (and its history) after acknowledging it.
    api.getAlert.mockResolvedValueOnce({ alert: alert(), events: EVENTS }).mockResolvedValue({ alert: acknowledged, events: EVENTS });
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
