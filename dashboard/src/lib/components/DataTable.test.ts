import { render, screen, within } from '@testing-library/svelte';
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
});
