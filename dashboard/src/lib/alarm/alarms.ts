/** The app's one alarm store, wired to the API, the live stream, Web Audio, notifications and the tab. */
import { getAlerts } from '$lib/api/client';
import { live } from '$lib/live.svelte';
import { AlarmStore } from './alarm-store.svelte';
import { notificationPermission, requestNotificationPermission, showNotification } from './notifications';
import { TabBadge } from './tab-badge';
import { WebAudioVoice } from './voice';

function localStorageOrNull(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage disabled by the browser's privacy settings: the choice lasts for this page only.
    return null;
  }
}

export const alarms = new AlarmStore({
  loadFiringAlerts: () => getAlerts({ state: 'firing' }),
  subscribe: (handlers) => live.subscribe({ alert: handlers.alert, escalation: handlers.escalation, reset: handlers.reset }),
  createVoice: () => new WebAudioVoice(),
  storage: localStorageOrNull(),
  permission: notificationPermission,
  requestPermission: requestNotificationPermission,
  notify: showNotification,
  badge: () => new TabBadge(document),
});
