import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { noChoice, type ConsentChoice } from '../consent-choice';
import ConfirmStep from './ConfirmStep.svelte';
import { IN_ENGLISH, spies } from './test-step.svelte';

function props(chosen: Partial<ConsentChoice> = {}, overrides: Record<string, unknown> = {}) {
  const choice = { ...noChoice(), camera: true, actor: 'patient' as const, ...chosen };
  return { ...IN_ENGLISH, choice, typedName: '', error: undefined, busy: false, ...spies('onBack', 'onConfirm'), ...overrides };
}

describe('ConfirmStep', () => {
  it('repeats the choices in the server words and asks the patient for their name', async () => {
    const p = props();
    render(ConfirmStep, p);
    const summary = screen.getAllByRole('listitem').map((li) => li.textContent?.trim());
    expect(summary).toEqual(['Camera is on', 'Wristband is off', 'Chosen by the patient']);
    await fireEvent.input(screen.getByLabelText('Type your full name'), { target: { value: 'Ada Lovelace' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save my choice' }));
    expect(p.onConfirm).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByRole('button', { name: 'Back to choices' }));
    expect(p.onBack).toHaveBeenCalledOnce();
  });

  it('names the proxy and says when nothing is measured', () => {
    render(ConfirmStep, props({ camera: false, actor: 'proxy', proxyName: ' Grace ', proxyRelationship: 'daughter' }));
    const summary = screen.getAllByRole('listitem').map((li) => li.textContent?.trim());
    expect(summary).toEqual(['Nothing is measured', 'Chosen by: Grace (daughter)']);
    expect(screen.getByLabelText('Type your own full name')).toBeTruthy();
  });

  it('shows a refused name as an alert and a busy button while saving', () => {
    render(ConfirmStep, props({}, { error: 'The name does not match.', busy: true }));
    expect(screen.getByRole('alert').textContent).toContain('The name does not match.');
    expect(screen.getByLabelText('Type your full name').getAttribute('aria-invalid')).toBe('true');
    const saving = screen.getByRole('button', { name: 'Saving…' }) as HTMLButtonElement;
    expect(saving.disabled).toBe(true);
  });
});
