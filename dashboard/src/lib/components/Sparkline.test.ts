import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Sparkline from './Sparkline.svelte';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const at = (minutesAgo: number, distress: number) => ({ t: new Date(NOW - minutesAgo * 60_000).toISOString(), distress });

describe('Sparkline', () => {
  it('joins readings a minute apart, breaks the line over a gap and draws a lone reading as a dot', () => {
    // 20-18 min ago: a run; 10 min ago: alone; 2-1 min ago: a run (and the latest reading is marked).
    const { container } = render(Sparkline, {
      points: [at(20, 0.2), at(19, 0.3), at(18, 0.4), at(10, 0.5), at(2, 0.6), at(1, 0.7)],
      now: NOW,
    });
    const path = container.querySelector('path')!;
    expect(path.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(path.getAttribute('d')!.match(/M/g)).toHaveLength(2);
    const dots = [...container.querySelectorAll('circle')];
    expect(dots).toHaveLength(2);
    expect(dots[0]!.getAttribute('r')).toBe('2.5');
    expect(container.querySelector('svg')!.getAttribute('aria-label')).toMatch(/rising.*6 minutes with readings/);
  });
});
