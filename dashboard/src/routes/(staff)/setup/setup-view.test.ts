import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/client';
import type { SetupWard } from '$lib/api/types';
import { movedOrder, nameDialogText, refusalText, retireText, splitBeds, splitWards } from './setup-view';

// The client's ApiError as it is, without the client's navigation (which needs SvelteKit).
vi.mock('$lib/api/client', () => {
  class ApiError extends Error {
    constructor(
      readonly status: number,
      readonly code: string,
      message: string,
      readonly fields: Record<string, string> = {},
    ) {
      super(message);
    }
  }
  return { ApiError, describeError: () => 'The Attune server could not be reached. Check the network and try again.' };
});

const bed = (id: string, retired = false) => ({
  id,
  label: `Bed ${id}`,
  position: Number(id),
  retiredAt: retired ? '2026-12-01T10:00:00Z' : null,
  device: null,
});
const ward: SetupWard = { id: 'w', name: 'Ward 7', retiredAt: null, beds: [bed('1'), bed('2'), bed('3'), bed('9', true)] };

describe('setup view', () => {
  it('splits wards and beds into those in use and retired ones', () => {
    const retiredWard = { ...ward, id: 'r', name: 'Old', retiredAt: '2026-11-01T00:00:00Z', beds: [] };
    expect(splitWards([ward, retiredWard])).toEqual({ inUse: [ward], retired: [retiredWard] });
    expect(splitBeds(ward).inUse.map((b) => b.id)).toEqual(['1', '2', '3']);
    expect(splitBeds(ward).retired.map((b) => b.id)).toEqual(['9']);
  });

  it('moves a bed one place among the beds in use, never past either end or into retired ones', () => {
    expect(movedOrder(ward, '2', -1)).toEqual(['2', '1', '3']);
    expect(movedOrder(ward, '2', 1)).toEqual(['1', '3', '2']);
    expect(movedOrder(ward, '1', -1)).toBeNull();
    expect(movedOrder(ward, '3', 1)).toBeNull();
    expect(movedOrder(ward, '9', -1)).toBeNull();
  });

  it('words each dialog with the ward and bed it acts on', () => {
    expect(nameDialogText({ kind: 'rename-bed', ward, bed: ward.beds[1]! })).toEqual({
      title: 'Rename Bed 2 on Ward 7',
      label: 'Bed label',
      initial: 'Bed 2',
      button: 'Save label',
    });
    expect(nameDialogText({ kind: 'add-ward' }).initial).toBe('');
    expect(retireText({ kind: 'bed', ward, bed: ward.beds[0]! }).body).toMatch(/while a patient is in the bed or a device still serves it/);
    expect(retireText({ kind: 'ward', ward }).title).toBe('Retire Ward 7?');
  });

  it("shows the server's own words for a refusal and for a bad name", () => {
    const busy = new ApiError(409, 'bed_has_active_stay', 'Bed 1 on Ward 7 has a patient in it: a charge nurse must discharge…');
    expect(refusalText(busy)).toBe('Bed 1 on Ward 7 has a patient in it: a charge nurse must discharge…');
    const bad = new ApiError(400, 'validation_failed', 'Request body is invalid', {
      label: 'The bed label contains a control character (U+0000) at position 1',
    });
    expect(refusalText(bad, 'label')).toBe('The bed label contains a control character (U+0000) at position 1');
    expect(refusalText(new ApiError(0, 'network', 'Network error'))).toMatch(/could not be reached/);
  });
});
