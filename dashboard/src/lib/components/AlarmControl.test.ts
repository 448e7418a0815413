import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { fakeWorldEachTest, firingAlert, settle } from '$lib/alarm/test-fakes';
import AlarmControl from './AlarmControl.svelte';

describe('AlarmControl', () => {
  const world = fakeWorldEachTest();

  async function started() {
    const alarms = await world().started();
    render(AlarmControl, { alarms });
    return alarms;
  }

  it('says the sound is blocked in words and enables it from one click', async () => {
    world().voiceState = 'suspended';
    world().nextLoad = [firingAlert('a1')];
    await started();
    const control = screen.getByTestId('alarm-control');
    expect(control.dataset.soundState).toBe('blocked');
    expect(control.dataset.alarmPlaying).toBe('none');
    expect(screen.getByRole('status').textContent).toBe('1 unacknowledged: no sound');
    await fireEvent.click(screen.getByRole('button', { name: 'Sound blocked by the browser: click to enable' }));
    flushSync();
    expect(world().voice!.resumed).toBe(1);
    expect(control.dataset.soundState).toBe('on');
    expect(control.dataset.alarmPlaying).toBe('high');
    expect(screen.getByRole('status').textContent).toBe('1 unacknowledged: high priority alarm sounding');
  });

  it('turns sound off and on with words, and stays quiet with nothing firing', async () => {
    await started();
    expect(screen.getByRole('status').textContent).toBe('');
    await fireEvent.click(screen.getByRole('button', { name: 'Sound on' }));
    expect(screen.getByRole('button', { name: 'Sound off' }).getAttribute('aria-describedby')).toBe('alarm-sound-hint');
    expect(document.getElementById('alarm-sound-hint')?.textContent).toBe('Turns alarm sound on.');
    await fireEvent.click(screen.getByRole('button', { name: 'Sound off' }));
    flushSync();
    expect(screen.getByRole('button', { name: 'Sound on' })).toBeTruthy();
  });

  it('asks for notifications only on a click, and then says they are on', async () => {
    await started();
    expect(world().permissionState).toBe('default');
    await fireEvent.click(screen.getByRole('button', { name: 'Notifications off: click to allow' }));
    await settle();
    expect(screen.getByText('Notifications on')).toBeTruthy();
  });

  it('says when notifications are blocked, and when the alerts could not load', async () => {
    world().permissionState = 'denied';
    world().nextLoad = new Error('offline');
    await started();
    expect(screen.getByText('Notifications blocked in browser settings')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/could not load the open alerts/);
  });
});
