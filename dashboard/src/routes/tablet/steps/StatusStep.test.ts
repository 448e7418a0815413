import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import StatusStep from './StatusStep.svelte';
import { IN_ENGLISH } from './test-step.svelte';

const CONSENT = {
  camera: true,
  wearable: false,
  actor: 'patient' as const,
  proxyName: null,
  proxyRelationship: null,
  since: '2026-03-01T08:05:00Z',
};

describe('StatusStep', () => {
  it('says what is measured and offers one Stop button that names its trigger', async () => {
    const onStop = vi.fn();
    const onChange = vi.fn();
    render(StatusStep, { ...IN_ENGLISH, consent: CONSENT, notice: null, onStop, onChange });
    const status = screen.getByTestId('tablet-status');
    expect(status.textContent).toContain('Monitoring is on.');
    expect(status.textContent).toContain('Camera is on');
    expect(status.textContent).toContain('Wristband is off');
    expect(status.textContent).toContain('Chosen by the patient');
    const stop = screen.getByRole('button', { name: 'Stop monitoring' });
    await fireEvent.click(stop);
    expect(onStop).toHaveBeenCalledWith(stop);
    await fireEvent.click(screen.getByRole('button', { name: 'Change my choices' }));
    expect(onChange).toHaveBeenCalledOnce();
  });

  it('has no Stop button when nothing is measured, and reports what stopping erased', () => {
    render(StatusStep, {
      ...IN_ENGLISH,
      consent: { ...CONSENT, camera: false },
      notice: { kind: 'stopped', deleted: { scoreWindows: 12, alerts: 1 } },
      onStop: vi.fn(),
      onChange: vi.fn(),
    });
    expect(screen.queryByRole('button', { name: 'Stop monitoring' })).toBeNull();
    expect(screen.getByTestId('tablet-status').textContent).toContain('Nothing is measured');
    const notice = screen.getByRole('status');
    expect(notice.textContent).toContain('Monitoring has stopped.');
    expect(notice.textContent).toContain('12 readings and 1 alerts deleted.');
  });
});
