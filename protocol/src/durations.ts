/**
 * How long something has lasted, in the words the server's explanations and the dashboard's tiles
 * both use ("offline for 4 min" in an alert, "Unacknowledged 4 min" on the board): one function,
 * so a nurse never reads the same span two ways. Pure, no dependencies: the dashboard bundles it.
 */

/** 45 -> "45 s", 250 -> "4 min", 3900 -> "1 h 5 min". Minutes are rounded down: a duration is never overstated. */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const totalMin = Math.floor(s / 60);
  if (totalMin < 60) return `${totalMin} min`;
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
