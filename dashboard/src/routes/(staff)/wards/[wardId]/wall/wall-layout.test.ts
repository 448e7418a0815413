import { describe, expect, it } from 'vitest';
import { wallLayout } from './wall-layout';

describe('wallLayout', () => {
  it('lays a 24-bed ward on a 1920x1080 screen in rows of six or eight, no smaller than the desk', () => {
    const { columns, fontPx } = wallLayout(24, 1920, 1080);
    expect([6, 8]).toContain(columns);
    expect(fontPx).toBeGreaterThanOrEqual(17);
  });

  it('gives a small ward much larger type', () => {
    expect(wallLayout(8, 1920, 1080)).toEqual({ columns: 4, fontPx: 33 });
    expect(wallLayout(1, 1920, 1080).fontPx).toBe(48);
  });

  it('stacks the beds on a portrait screen', () => {
    expect(wallLayout(8, 1080, 1920).columns).toBeLessThanOrEqual(2);
  });
});
