import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import DeleteDialog from './DeleteDialog.svelte';
import { IN_ENGLISH, spies } from './test-step.svelte';

const props = (over: Partial<{ busy: boolean; error: string | null }> = {}) => ({
  ...IN_ENGLISH,
  open: true,
  trigger: null,
  error: null,
  busy: false,
  ...spies('onClose', 'onConfirm'),
  ...over,
});

describe('DeleteDialog (offered after stopping)', () => {
  it('asks once more before deleting, and deletes or keeps', async () => {
    const p = props();
    render(DeleteDialog, p);
    const dialog = screen.getByTestId('delete-dialog');
    expect(screen.getByRole('heading', { name: 'Delete the measurements?' })).toBeTruthy();
    expect(dialog.textContent).toContain('Deleted for good.');
    // Nothing to tick: the choice to delete was made by opening this dialog.
    expect(screen.queryByRole('checkbox')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(p.onConfirm).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getAllByRole('button', { name: /Keep them/ }).at(-1)!);
    expect(p.onClose).toHaveBeenCalled();
  });

  it('waits while deleting and says why deleting failed', () => {
    render(DeleteDialog, props({ busy: true, error: 'The tablet could not reach the hospital system.' }));
    const busy = screen.getByRole('button', { name: 'Deleting…' }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    expect(screen.getByRole('alert').textContent).toContain('could not reach');
  });
});
