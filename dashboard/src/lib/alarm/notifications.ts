/**
 * Desktop notifications for alarms: the words of each, and showing one that brings the nurse back
 * to the ward board when clicked. Permission is asked only from a click (browsers ignore or
 * penalise a request made on load).
 */
import type { Alert, EscalationEvent, Priority } from '$lib/api/types';

export type NotificationPermissionState = NotificationPermission | 'unsupported';

const PRIORITY_WORD: Record<Priority, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/** Bed labels are whole names ("Bed 5"); an alert without a bed is about the ward. */
function where(bedLabel: string | null): string {
  return bedLabel ?? 'Ward';
}

/** "5 min", "45 s": elapsed time in the words the board uses. */
export function elapsedWords(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface NotificationText {
  title: string;
  body: string;
  /** One notification per alert: a later one about the same alert replaces it. */
  tag: string;
}

/** "Bed 5: high priority alert" with the alert's one-line summary. */
export function newAlertNotification(alert: Alert): NotificationText {
  return {
    title: `${where(alert.bedLabel)}: ${alert.priority} priority alert`,
    body: `${PRIORITY_WORD[alert.priority]} priority, unacknowledged. ${alert.explanation.summary}`.trim(),
    tag: `alert-${alert.id}`,
  };
}

/** "Bed 5: high priority unacknowledged 2 min", for charge nurses. */
export function escalationNotification(event: EscalationEvent): NotificationText {
  return {
    title: `${where(event.bedLabel)}: ${event.priority} priority unacknowledged ${elapsedWords(event.unacknowledgedS)}`,
    body: `Escalation level ${event.level}: nobody has acknowledged this alert yet.`,
    tag: `alert-${event.alertId}`,
  };
}

export function notificationPermission(): NotificationPermissionState {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported';
}

export async function requestNotificationPermission(): Promise<NotificationPermissionState> {
  if (notificationPermission() === 'unsupported') return 'unsupported';
  return window.Notification.requestPermission();
}

/**
 * Shows the notification when permission is granted; a click focuses this window and opens the
 * ward. Returns whether it was shown: a browser that refuses says so in the console, never silently.
 */
export function showNotification(text: NotificationText, requireInteraction: boolean, onClick: () => void): boolean {
  if (notificationPermission() !== 'granted') return false;
  try {
    const n = new window.Notification(text.title, { body: text.body, tag: text.tag, requireInteraction, icon: '/favicon.svg' });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
    return true;
  } catch (err) {
    // Some browsers only allow notifications from a service worker.
    console.error('Attune could not show a desktop notification', err);
    return false;
  }
}
