import { describe, expect, it } from 'vitest';
import { filterFromUrl, filterToQuery, filterToSearch, fromLocalInput, toLocalInput } from './alert-filter';

describe('the Alerts page filter in the URL', () => {
  it('defaults to open alerts of any kind, and ignores what it does not know', () => {
    expect(filterFromUrl(new URLSearchParams('state=bogus&kind=nope&priority=urgent&from=yesterday'))).toEqual({
      state: 'open',
      kind: null,
      priority: null,
      bedId: null,
      from: null,
      to: null,
    });
    expect(filterToSearch(filterFromUrl(new URLSearchParams()))).toBe('');
  });

  it('round-trips a filter through the URL and gives the API the same query', () => {
    const search = '?state=resolved&kind=sustained_distress&priority=high&bedId=b1&from=2026-03-02T08%3A00%3A00.000Z';
    const filter = filterFromUrl(new URLSearchParams(search));
    expect(filterToSearch(filter)).toBe(search);
    expect(filterToQuery(filter)).toEqual({
      state: 'resolved',
      kind: 'sustained_distress',
      priority: 'high',
      bedId: 'b1',
      from: '2026-03-02T08:00:00.000Z',
    });
  });

  it('shows ISO times in the local time of the datetime inputs, and reads them back', () => {
    const iso = '2026-03-02T08:05:00.000Z';
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
    expect(fromLocalInput('')).toBeNull();
    expect(toLocalInput(null)).toBe('');
  });
});
