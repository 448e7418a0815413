/**
 * The current time for words that age ("4 min ago", "unacknowledged 4 min"), moving on every
 * `everyMs`. Create it while a component initialises: it stops with the component.
 */
export class Now {
  ms = $state(Date.now());

  constructor(everyMs: number) {
    $effect(() => {
      const timer = setInterval(() => (this.ms = Date.now()), everyMs);
      return () => clearInterval(timer);
    });
  }
}
