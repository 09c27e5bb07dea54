import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorClockControl } from '../../src/app/simulator-clock/deps.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The simulator clock held (the demo seed holds it so that what it stamps is the same on every run): its time stays
 * at the instant it was moved to, however long the work there takes, and runs on with the wall clock once released,
 * never backwards.
 */
let app: TestApp;
let control: SimulatorClockControl;

beforeAll(async () => {
  app = await createTestApp();
  if (!app.services.simulatorClock) throw new Error('the test app has no simulator clock');
  control = app.services.simulatorClock;
});

afterAll(() => {
  control?.clock.hold(false);
});

describe('the simulator clock held', () => {
  it('stays at each instant an advance moves it to, and runs on from there when released', async () => {
    control.clock.hold(true);
    const held = control.clock.now().getTime();
    await sleep(40);
    expect(control.clock.now().getTime()).toBe(held);

    const target = new Date(held + 86_400_000 + 1234);
    const result = await control.advance(target);
    expect(result.to).toBe(target.toISOString());
    await sleep(40);
    expect(control.clock.now().toISOString()).toBe(target.toISOString());

    control.clock.hold(false);
    await sleep(40);
    const running = control.clock.now().getTime();
    expect(running).toBeGreaterThan(target.getTime());
    expect(running - target.getTime()).toBeLessThan(60_000);
  }, 120_000);
});
