import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import TextField from './TextField.svelte';

/** The input's attributes, without Svelte's style-scoping class. */
function attributes(input: HTMLElement): Record<string, string> {
  return Object.fromEntries([...input.attributes].filter((a) => a.name !== 'class').map((a) => [a.name, a.value]));
}

describe('TextField', () => {
  it('marks a username field so password managers fill it and phones neither capitalise nor spell-check it', () => {
    render(TextField, { label: 'Username', name: 'username', credential: 'username', required: true });
    expect(attributes(screen.getByRole('textbox', { name: 'Username' }))).toEqual({
      name: 'username',
      autocomplete: 'username',
      autocapitalize: 'none',
      spellcheck: 'false',
      required: '',
    });
  });

  it('makes password fields password inputs; a new password is bounded like the server bounds it', () => {
    render(TextField, { label: 'Password', name: 'password', credential: 'current-password', errorId: 'login-error' });
    render(TextField, { label: 'New password', name: 'new-password', credential: 'new-password', minlength: 12 });
    expect(attributes(screen.getByLabelText('Password'))).toEqual({
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      'aria-describedby': 'login-error',
    });
    expect(attributes(screen.getByLabelText('New password'))).toEqual({
      name: 'new-password',
      type: 'password',
      autocomplete: 'new-password',
      maxlength: '200',
      minlength: '12',
    });
  });

  it('points at the error message only while there is one', async () => {
    const { rerender } = render(TextField, { label: 'Username', errorId: 'login-error' });
    const input = screen.getByRole('textbox', { name: 'Username' });
    expect(input.getAttribute('aria-describedby')).toBe('login-error');
    await rerender({ label: 'Username', errorId: undefined });
    expect(input.hasAttribute('aria-describedby')).toBe(false);
  });

  it('keeps what is typed', async () => {
    render(TextField, { label: 'Username' });
    const input = screen.getByRole('textbox', { name: 'Username' }) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'j.smith' } });
    expect(input.value).toBe('j.smith');
  });
});
