/**
 * The alert whose explanation dialog is open (null: none), and the control that opened it, where
 * the dialog gives focus back when it closes.
 */
export class ShownAlert {
  id = $state<string | null>(null);
  trigger = $state<HTMLElement | null>(null);

  /** Opens the dialog on an alert; fits the `onOpen` of alert lists and bed tiles. */
  show = (alertId: string, trigger: HTMLElement): void => {
    this.trigger = trigger;
    this.id = alertId;
  };

  close = (): void => {
    this.id = null;
  };
}
