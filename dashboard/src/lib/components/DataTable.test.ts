import { render, screen, waitFor, within } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import DataTable from './DataTable.svelte';

const head = createRawSnippet(() => ({ render: () => '<th scope="col">Device</th>' }));
const rows = createRawSnippet(() => ({ render: () => '<tr><th scope="row">dev-1</th></tr>' }));

describe('DataTable', () => {
  it('names the table for screen readers and puts the header cells in a header row above the records', () => {
    render(DataTable, { caption: 'Enrolled bedside devices', testid: 'devices', head, children: rows });
    const table = screen.getByRole('table', { name: 'Enrolled bedside devices' });
    expect(table.dataset.testid).toBe('devices');
    expect(within(table).getByRole('columnheader').textContent).toBe('Device');
    expect(within(table).getByRole('rowheader').textContent).toBe('dev-1');
    expect(table.querySelector('thead tr th')).not.toBeNull();
  });

  it('names each body cell after its column, for the card layout on a narrow screen; a visually hidden column name shows none', async () => {
    render(DataTable, { caption: 'Devices', head, children: rows });
    const cell = screen.getByRole('rowheader');
    await waitFor(() => expect(cell.dataset.label).toBe('Device'));

    // A raw snippet draws one element: one header cell per table here.
    const hidden = createRawSnippet(() => ({ render: () => '<th scope="col"><span class="visually-hidden">Actions</span></th>' }));
    const action = createRawSnippet(() => ({ render: () => '<tr><td>Edit</td></tr>' }));
    render(DataTable, { caption: 'Users', head: hidden, children: action });
    const button = screen.getByRole('cell', { name: 'Edit' });
    await waitFor(() => expect(button.dataset.label).toBe(''));
  });
});
