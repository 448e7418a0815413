import { revokeEnrolmentToken, type EnrolmentTokenSummary, type IssuedEnrolmentToken } from '$lib/api/enrolment';
import { Now } from '$lib/now.svelte';
import { PageAction } from '$lib/page-action.svelte';

/**
 * What an IT page that hands out enrolment tokens (a bed's Enrol page, a device's Credentials page)
 * keeps: the change running now, the clock its expiry words age by, and the token made last with what
 * it is for. That token is shown only until the page turns to another bed or device, or it is revoked:
 * it is never shown again. Create it while the page initialises (its clock and reload stop with it).
 */
export class TokenDesk {
  readonly now = new Now(30_000);
  readonly action: PageAction;
  issued = $state<{ token: IssuedEnrolmentToken; what: string } | null>(null);

  /** `subject` is the bed or device the page is about; `data` is the page's data, read again after each change. */
  constructor(subject: () => string, data: { load(): Promise<void> }) {
    this.action = new PageAction({ reload: () => data.load() });
    $effect(() => {
      void subject();
      this.issued = null;
      void data.load();
    });
  }

  readonly revoke = (t: EnrolmentTokenSummary): Promise<void> =>
    this.action.run(async () => {
      await revokeEnrolmentToken(t.id);
      if (this.issued?.token.summary.id === t.id) this.issued = null;
      return 'The token was revoked: it no longer works.';
    });
}
