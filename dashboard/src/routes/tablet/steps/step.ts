/** What the tablet's step components share: the props of the consent steps and their forms' submit. */
import type { ConsentTexts } from '$lib/api/types';
import type { Lang } from '$lib/i18n';

/** Every step after pairing speaks the chosen language and shows the server's consent text in it. */
export interface StepProps {
  lang: Lang;
  texts: ConsentTexts;
}

/** A step that ends in one action on the server (saving the choice, stopping): it waits while `busy`. */
export interface ActionProps {
  /** Why the action failed, in words. */
  error: string | null | undefined;
  busy: boolean;
  onConfirm: () => void;
}

/** A submit handler that stays on the page: the flow checks the answers and moves to the next step itself. */
export function submitTo(action: () => void): (event: SubmitEvent) => void {
  return (event) => {
    event.preventDefault();
    action();
  };
}
