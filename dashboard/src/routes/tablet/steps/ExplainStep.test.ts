import { fireEvent, render, screen } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';
import ExplainStep from './ExplainStep.svelte';
import { IN_ENGLISH } from './test-step.svelte';

it('shows the consent text in sections, one paragraph per blank-line block, and continues', async () => {
  const onContinue = vi.fn();
  render(ExplainStep, { ...IN_ENGLISH, onContinue });
  expect(screen.getByText('Step 1 of 3')).toBeTruthy();
  expect(screen.getByRole('heading', { level: 1, name: 'About monitoring' })).toBeTruthy();
  expect(screen.getByRole('heading', { level: 2, name: 'What is measured' })).toBeTruthy();
  expect(screen.getByText('Your face and your wristband.').tagName).toBe('P');
  expect(screen.getByText('Nothing is recorded as video.').tagName).toBe('P');
  expect(onContinue).not.toHaveBeenCalled();
  await fireEvent.click(screen.getByRole('button', { name: 'Continue to my choices' }));
  expect(onContinue).toHaveBeenCalledOnce();
});
