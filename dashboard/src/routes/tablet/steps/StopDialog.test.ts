import { fireEvent, render, screen } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';
import StopDialog from './StopDialog.svelte';
import { IN_ENGLISH } from './test-step.svelte';

it('asks before stopping, offers erasure, and confirms or cancels', async () => {
  const onConfirm = vi.fn();
  const onClose = vi.fn();
  render(StopDialog, {
    ...IN_ENGLISH,
    open: true,
    trigger: null,
    alsoDelete: false,
    error: null,
    busy: false,
    onClose,
    onConfirm,
  });
  const dialog = screen.getByTestId('stop-dialog');
  expect(dialog.textContent).toContain('Everything stops now.');
  const erase = screen.getByRole('checkbox', { name: /Also delete what was measured/ }) as HTMLInputElement;
  expect(erase.checked).toBe(false);
  await fireEvent.click(screen.getByRole('button', { name: 'Yes, stop' }));
  expect(onConfirm).toHaveBeenCalledOnce();
  await fireEvent.click(screen.getAllByRole('button', { name: /Keep monitoring/ }).at(-1)!);
  expect(onClose).toHaveBeenCalled();
});
