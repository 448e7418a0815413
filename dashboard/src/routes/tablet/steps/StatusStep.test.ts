import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { StatusNotice } from '../flow.svelte';
import StatusStep from './StatusStep.svelte';
import { IN_ENGLISH, spies } from './test-step.svelte';

const CONSENT = {
  camera: true,
  wearable: false,
  actor: 'patient' as const,
  proxyName: null,
  proxyRelationship: null,
  since: '2026-03-01T08:05:00Z',
};
const STOPPED = { ...CONSENT, camera: false };

function renderStatus(o: { consent?: typeof CONSENT; notice?: StatusNotice | null; stopping?: boolean } = {}) {
  const callbacks = spies('onStop', 'onOfferDelete', 'onChange');
  render(StatusStep, { ...IN_ENGLISH, consent: CONSENT, notice: null, stopping: false, ...callbacks, ...o });
  return callbacks;
}

describe('StatusStep', () => {
  it('says what is measured; one tap on Stop stops, with no question and no delete choice before it', async () => {
    const { onStop, onChange, onOfferDelete } = renderStatus();
    const status = screen.getByTestId('tablet-status');
    expect(status.textContent).toContain('Monitoring is on.');
    expect(status.textContent).toContain('Camera is on');
    expect(status.textContent).toContain('Wristband is off');
    expect(status.textContent).toContain('Chosen by the patient');
    // Deleting is not offered before stopping.
    expect(screen.queryByTestId('delete-offer')).toBeNull();
    expect(screen.queryByRole('checkbox')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Stop monitoring' }));
    expect(onStop).toHaveBeenCalledOnce();
    expect(onOfferDelete).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Change my choices' }));
    expect(onChange).toHaveBeenCalledOnce();
  });

  it('shows the stop on its way and cannot be tapped twice', () => {
    renderStatus({ stopping: true });
    const stop = screen.getByRole('button', { name: 'Stopping…' }) as HTMLButtonElement;
    expect(stop.disabled).toBe(true);
  });

  it('after stopping says the data is kept and offers deleting it as a separate choice', async () => {
    const { onOfferDelete } = renderStatus({ consent: STOPPED, notice: { kind: 'stopped', deleted: null } });
    expect(screen.queryByRole('button', { name: 'Stop monitoring' })).toBeNull();
    const notice = screen.getByRole('status');
    expect(notice.textContent).toContain('Monitoring has stopped.');
    expect(notice.textContent).toContain('What was recorded so far is kept.');
    const offer = screen.getByRole('button', { name: 'Also delete what was measured' });
    expect(offer.getAttribute('aria-describedby')).toBe('delete-offer-what');
    expect(document.getElementById('delete-offer-what')?.textContent).toBe('Scores and alerts are erased.');
    await fireEvent.click(offer);
    expect(onOfferDelete).toHaveBeenCalledWith(offer);
  });

  it('reports what deleting erased and offers it no more', () => {
    renderStatus({ consent: STOPPED, notice: { kind: 'stopped', deleted: { scoreWindows: 12, alerts: 1 } } });
    expect(screen.getByTestId('tablet-status').textContent).toContain('Nothing is measured');
    expect(screen.getByRole('status').textContent).toContain('12 readings and 1 alerts deleted.');
    expect(screen.queryByTestId('delete-offer')).toBeNull();
  });

  it('offers no deletion when monitoring is on again or nothing was stopped here', () => {
    renderStatus({ notice: { kind: 'stopped', deleted: null } });
    expect(screen.queryByTestId('delete-offer')).toBeNull();
    cleanup();
    renderStatus({ consent: STOPPED, notice: null });
    expect(screen.queryByTestId('delete-offer')).toBeNull();
  });
});
