import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ChooseStep from './ChooseStep.svelte';
import { IN_ENGLISH, reactiveChoice, spies } from './test-step.svelte';

function props(overrides: Record<string, unknown> = {}) {
  return { ...IN_ENGLISH, choice: reactiveChoice(), errors: {}, ...spies('onActorChange', 'onBack', 'onContinue'), ...overrides };
}

describe('ChooseStep', () => {
  it('offers each modality as a switch, off until chosen', async () => {
    render(ChooseStep, props());
    const camera = screen.getByRole('switch', { name: /Camera/ }) as HTMLInputElement;
    const wristband = screen.getByRole('switch', { name: /Wristband/ }) as HTMLInputElement;
    expect(camera.checked).toBe(false);
    expect(wristband.checked).toBe(false);
    await fireEvent.click(camera);
    expect(camera.checked).toBe(true);
    expect(camera.closest('label')!.classList.contains('on')).toBe(true);
    expect(wristband.closest('label')!.classList.contains('on')).toBe(false);
  });

  it('asks for the proxy name and relationship only when a proxy decides', async () => {
    const p = props();
    render(ChooseStep, p);
    expect(screen.queryByLabelText('Your name')).toBeNull();
    await fireEvent.click(screen.getByRole('radio', { name: 'I decide for the patient' }));
    expect(p.onActorChange).toHaveBeenCalled();
    expect(screen.getByLabelText('Your name')).toBeTruthy();
    expect(screen.getByLabelText('Relationship')).toBeTruthy();
  });

  it('continues by submitting the form and goes back with Back', async () => {
    const p = props();
    render(ChooseStep, p);
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(p.onContinue).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(p.onBack).toHaveBeenCalledOnce();
  });

  it('says what is missing as an alert tied to the question', () => {
    render(ChooseStep, props({ errors: { who: 'Choose who decides.' } }));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Choose who decides.');
    expect(alert.id).toBe('who-error');
    expect(screen.getByRole('group', { name: 'Who decides?' }).getAttribute('aria-describedby')).toBe('who-error');
  });
});
