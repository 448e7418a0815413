/**
 * For the step tests: the props every consent step gets, a spy for each callback a step takes, and
 * choices held as the page's flow holds them. A .svelte.ts module, for the $state rune.
 */
import { vi, type Mock } from 'vitest';
import { noChoice, type ConsentChoice } from '../consent-choice';
import { TEXTS } from './test-texts';

/** English and the test texts: what every step after pairing is given. */
export const IN_ENGLISH = { lang: 'en' as const, texts: TEXTS };

/** A spy for each named callback prop, so a test can see what the step called. */
export function spies<Name extends string>(...names: Name[]): Record<Name, Mock<() => void>> {
  return Object.fromEntries(names.map((name) => [name, vi.fn()])) as Record<Name, Mock<() => void>>;
}

/** Choices the step can change and show changed, as in the page: reactive state. */
export function reactiveChoice(chosen: Partial<ConsentChoice> = {}): ConsentChoice {
  const choice = $state({ ...noChoice(), ...chosen });
  return choice;
}
