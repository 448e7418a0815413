import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import PairStep from './PairStep.svelte';
import { spies } from './test-step.svelte';

const WARDS = [
  { id: 'w1', name: 'Ward 1' },
  { id: 'w2', name: 'Ward 2' },
];

function props(overrides: Record<string, unknown> = {}) {
  return {
    lang: 'en' as const,
    ended: false,
    ward: null,
    wards: WARDS,
    wardsError: false,
    wardChoice: '',
    code: '',
    busy: false,
    errors: {},
    ...spies('onRetryWards', 'onChooseWard', 'onChangeWard', 'onPair'),
    ...overrides,
  };
}

describe('PairStep', () => {
  it('asks for the ward first and hands the choice on', async () => {
    const p = props();
    render(PairStep, p);
    expect(screen.getByRole('heading', { level: 1, name: 'Connect this tablet to a bed' })).toBeTruthy();
    expect(screen.queryByLabelText('Pairing code (6 digits)')).toBeNull();
    await fireEvent.click(screen.getByRole('radio', { name: 'Ward 2' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(p.onChooseWard).toHaveBeenCalledOnce();
  });

  it('offers to try the ward list again when it could not load', async () => {
    const p = props({ wards: null, wardsError: true });
    render(PairStep, p);
    expect(screen.getByRole('alert').textContent).toContain('could not be loaded');
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(p.onRetryWards).toHaveBeenCalledOnce();
  });

  it('takes the code once the ward is known, and says why a code failed', async () => {
    const p = props({ ward: { id: 'w1', name: null }, errors: { code: 'That code did not work.' } });
    render(PairStep, p);
    expect(screen.getByTestId('tablet-ward').textContent).toContain('Ward: Ward 1');
    const input = screen.getByLabelText('Pairing code (6 digits)');
    expect(input.getAttribute('aria-describedby')).toBe('pair-code-error');
    expect(screen.getByRole('alert').textContent).toContain('That code did not work.');
    await fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(p.onPair).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByRole('button', { name: 'Change ward' }));
    expect(p.onChangeWard).toHaveBeenCalledOnce();
  });

  it('says the tablet was disconnected when a pairing ended', () => {
    render(PairStep, props({ ended: true, ward: { id: 'w1', name: 'Ward 1' } }));
    expect(screen.getByRole('heading', { level: 1, name: 'This tablet is no longer connected' })).toBeTruthy();
    expect(screen.getByTestId('tablet-ended').getAttribute('role')).toBe('status');
  });
});
