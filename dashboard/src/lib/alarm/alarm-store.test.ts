import { describe, expect, it, vi } from 'vitest';
import { ALARM_PATTERNS, burstPeriodMs } from './patterns';
import { CHARGE, escalation, fakeWorldEachTest, firingAlert, IT, NURSE, settle } from './test-fakes';

describe('AlarmStore', () => {
  const world = fakeWorldEachTest();

  it('loads the firing alerts, sounds the highest priority, counts them on the tab, and stops when all are acknowledged', async () => {
    world().nextLoad = [firingAlert('a1', { priority: 'medium' }), firingAlert('a2', { priority: 'high' })];
    const alarms = await world().started();
    expect(alarms.sound).toBe('on');
    expect(alarms.count).toBe(2);
    expect(alarms.playing).toBe('high');
    expect(world().badgeCounts.at(-1)).toBe(2);
    // Alerts already firing at sign-in sound, but do not pop up one notification each.
    expect(world().notified).toEqual([]);

    world().live!.alert(firingAlert('a2', { priority: 'high', state: 'acknowledged' }));
    expect(alarms.playing).toBe('medium');
    expect(alarms.count).toBe(1);
    world().live!.alert(firingAlert('a1', { priority: 'medium', state: 'resolved' }));
    expect(alarms.playing).toBeNull();
    expect(alarms.count).toBe(0);
    expect(world().badgeCounts.at(-1)).toBe(0);
    expect(world().voice!.log.at(-1)?.what).toBe('silence');
  });

  it('keeps repeating while an alert fires, faster once it escalated', async () => {
    world().nextLoad = [firingAlert('a1')];
    const alarms = await world().started();
    const t0 = Date.now();
    const normal = burstPeriodMs(ALARM_PATTERNS.high, false);
    await vi.advanceTimersByTimeAsync(normal);
    world().live!.escalation(escalation('a1', 120));
    await vi.advanceTimersByTimeAsync(burstPeriodMs(ALARM_PATTERNS.high, true));
    expect(
      world()
        .voice!.bursts(t0)
        .map(([at]) => at),
    ).toEqual([0, normal, normal + burstPeriodMs(ALARM_PATTERNS.high, true)]);
    // A nurse is not a charge nurse: the escalation notification is not for them.
    expect(world().notified).toEqual([]);
    expect(alarms.target).toEqual({ priority: 'high', escalated: true });
  });

  it('says "blocked" while the browser holds the audio back, plays nothing, and plays once a click resumes it', async () => {
    world().voiceState = 'suspended';
    world().nextLoad = [firingAlert('a1')];
    const alarms = await world().started();
    expect(alarms.sound).toBe('blocked');
    expect(alarms.playing).toBeNull();
    await alarms.enableSound();
    expect(world().voice!.resumed).toBe(1);
    expect(alarms.sound).toBe('on');
    expect(alarms.playing).toBe('high');
    expect(world().voice!.bursts(0)).toHaveLength(1);
  });

  it('turns off and remembers it for the user; turning on again plays at once', async () => {
    world().nextLoad = [firingAlert('a1', { priority: 'low' })];
    const alarms = await world().started();
    alarms.disableSound();
    expect(alarms.sound).toBe('off');
    expect(alarms.playing).toBeNull();
    expect(world().stored.get(`attune.alarmSound.${NURSE.id}`)).toBe('off');

    alarms.stop();
    const again = await world().started();
    expect(again.sound).toBe('off');
    await again.enableSound();
    expect(again.playing).toBe('low');
    expect(world().stored.get(`attune.alarmSound.${NURSE.id}`)).toBe('on');
  });

  it('notifies a new firing high or medium alert (not low), and a click opens its ward', async () => {
    const opened: string[] = [];
    const alarms = await world().started(NURSE, (w) => opened.push(w));
    world().live!.alert(firingAlert('a1', { priority: 'low' }));
    world().live!.alert(firingAlert('a2', { priority: 'medium', bedLabel: 'Bed 7', wardId: 'w2' }));
    world().live!.alert(firingAlert('a2', { priority: 'medium', bedLabel: 'Bed 7', wardId: 'w2' }));
    world().live!.alert(firingAlert('a3', { priority: 'high' }));
    expect(world().notified.map((n) => [n.text.title, n.requireInteraction])).toEqual([
      ['Bed 7: medium priority alert', false],
      ['Bed 5: high priority alert', true],
    ]);
    world().notified[0]!.click();
    expect(opened).toEqual(['w2']);
    expect(alarms.count).toBe(3);
  });

  it('notifies charge nurses of each escalation in words with the elapsed time', async () => {
    const opened: string[] = [];
    await world().started(CHARGE, (w) => opened.push(w));
    world().live!.escalation(escalation('a9', 125));
    expect(world().notified.map((n) => n.text.title)).toEqual(['Bed 5: high priority unacknowledged 2 min']);
    world().notified[0]!.click();
    expect(opened).toEqual(['w1']);
  });

  it('gives IT staff their technical alerts at low priority, sound off until they turn it on, and no pop-ups', async () => {
    world().nextLoad = [firingAlert('t1', { kind: 'device_offline', category: 'technical', priority: 'high' })];
    const alarms = await world().started(IT);
    expect(alarms.sound).toBe('off');
    expect(world().voices).toEqual([]);
    world().live!.alert(firingAlert('t2', { kind: 'device_offline', category: 'technical', priority: 'high' }));
    expect(world().notified).toEqual([]);
    await alarms.enableSound();
    expect(alarms.playing).toBe('low');
    expect(alarms.count).toBe(2);
  });

  it('says so when the alerts cannot load and tries again; after a reset it reloads and notifies what is new', async () => {
    world().nextLoad = new Error('offline');
    const alarms = await world().started();
    expect(alarms.loadError).toMatch(/could not load/);
    world().nextLoad = [firingAlert('a1')];
    await vi.advanceTimersByTimeAsync(1_000);
    expect(alarms.loadError).toBeNull();
    expect(alarms.count).toBe(1);
    expect(world().notified).toEqual([]);

    world().nextLoad = [firingAlert('a1'), firingAlert('a2', { bedLabel: 'Bed 8' })];
    world().live!.reset();
    await settle();
    expect(world().loads).toBe(3);
    expect(world().notified.map((n) => n.text.title)).toEqual(['Bed 8: high priority alert']);
  });

  it('keeps an acknowledgement that arrives live while a load is still answering', async () => {
    let answer: (alerts: ReturnType<typeof firingAlert>[]) => void = () => {};
    const deps = world().deps();
    deps.loadFiringAlerts = () => new Promise((resolve) => (answer = resolve));
    const { AlarmStore } = await import('./alarm-store.svelte');
    const alarms = new AlarmStore(deps);
    alarms.start(NURSE, () => {});
    world().live!.alert(firingAlert('a1', { state: 'acknowledged' }));
    answer([firingAlert('a1')]);
    await settle();
    expect(alarms.count).toBe(0);
    expect(alarms.playing).toBeNull();
  });

  it('asks for notification permission only when told to (from a click)', async () => {
    const alarms = world().store();
    alarms.start(NURSE, () => {});
    expect(alarms.permission).toBe('default');
    await alarms.requestNotifications();
    expect(alarms.permission).toBe('granted');
  });
});
