import { thrown } from '@pocketdock/testkit';
import { applyEvent, applyInspect, beginOp } from '../src/records.js';
import { flowRecord as record } from './flow-record.js';
import type { Inspected } from '../src/engine-inspect.js';
import { resolveRef } from '../src/resolve-ref.js';

const ev = (action: string, timeMs: number, exitCode?: number): { id: string; action: string; timeMs: number; exitCode: number | undefined } => ({ id: 'x', action, timeMs, exitCode });

describe('engine events, by their own time (Podman delivers them 120-320 ms late)', () => {
  it("a restart's die is expected even when the create's start arrives after it began (the false crash, exit 143)", () => {
    const r = record({ stateAsOfMs: 1_000 });
    // the restart runs from 1_100 to 1_400; the service read the state (running) at 1_450
    r.ops.push({ kind: 'restart', fromMs: 1_100, toMs: 1_400 });
    r.stateAsOfMs = 1_450;
    expect(applyEvent(r, ev('start', 1_050))).toBe('ignored'); // the create's start, late
    expect(applyEvent(r, ev('die', 1_200, 143))).toBe('ignored'); // the restart's own die, late: not a crash
    expect(applyEvent(r, ev('start', 1_300))).toBe('ignored');
    expect(r).toMatchObject({ state: 'running', crashed: false, reportedEndMs: undefined });
    // a die after the restart is the flow's own
    expect(applyEvent(r, ev('die', 2_000, 3))).toBe('crashed');
    expect(r).toMatchObject({ state: 'exited', crashed: true, exitCode: 3 });
  });

  it('a burst of dies a minute late (an engine under load) still finds the windows of their operations', () => {
    const r = record();
    for (let i = 0; i < 50; i++) r.ops.push({ kind: i % 2 ? 'restart' : 'update', fromMs: 10_000 + i * 1_000, toMs: 10_000 + i * 1_000 + 500 });
    r.stateAsOfMs = 70_000;
    const end = beginOp(r, 'restart', 71_000);
    end();
    for (let i = 0; i < 50; i++) expect(applyEvent(r, ev('die', 10_000 + i * 1_000 + 200, 143))).toBe('ignored');
    expect(r).toMatchObject({ state: 'running', crashed: false, reportedEndMs: undefined });
  });

  it("a die in an operation's window changes the state when it is news; a stop's die reads stopped", () => {
    const r = record({ stoppedByUs: true });
    const end = beginOp(r, 'stop', 2_000);
    expect(applyEvent(r, ev('die', 2_100, 143))).toBe('changed');
    end();
    expect(r).toMatchObject({ state: 'stopped', crashed: false });
  });

  it('a die after the stop window of a container the service stopped is still the stop (a slow engine)', () => {
    const r = record({ stoppedByUs: true, ops: [{ kind: 'stop', fromMs: 2_000, toMs: 2_100 }], stateAsOfMs: 2_150, state: 'stopped' });
    expect(applyEvent(r, ev('die', 2_300, 137))).toBe('changed'); // news (after the last read), but no crash
    expect(r).toMatchObject({ state: 'stopped', crashed: false });
  });

  it('a start clears the previous run: usage, exit code, crash; a run is reported once (event, then inspect)', () => {
    const r = record({ usage: { memory_bytes: 1, memory_limit_bytes: null, memory_percent: null, cpu_percent: null, pids: 1, sampled_at: new Date(500).toISOString() } });
    expect(applyEvent(r, ev('die', 5_000, 2))).toBe('crashed');
    const inspected: Inspected = {
      Id: r.id,
      Name: '/flow',
      Created: new Date(0).toISOString(),
      Config: { Image: 'i' },
      State: { Status: 'exited', Running: false, ExitCode: 2, StartedAt: new Date(1_000).toISOString(), FinishedAt: new Date(4_998).toISOString() },
    };
    expect(applyInspect(r, inspected, 6_000)).toBeUndefined(); // the same end, seen again after an outage
    expect(applyEvent(r, ev('start', 7_000))).toBe('changed');
    expect(r).toMatchObject({ state: 'running', usage: null, exitCode: null, crashed: false });
  });

  it('an inspect reports a run that ended while nobody listened (the service or the event stream was down)', () => {
    const r = record({ reportedEndMs: 1_500 });
    const inspected: Inspected = {
      Id: r.id,
      Name: '/flow',
      Created: new Date(0).toISOString(),
      Config: { Image: 'i' },
      State: { Status: 'exited', Running: false, ExitCode: 137, StartedAt: new Date(2_000).toISOString(), FinishedAt: new Date(9_000).toISOString() },
    };
    expect(applyInspect(r, inspected, 10_000)).toBe('crashed');
    expect(r).toMatchObject({ state: 'exited', crashed: true, exitCode: 137, reportedEndMs: 9_000 });
    expect(applyInspect(r, inspected, 11_000)).toBeUndefined();
    expect(applyInspect(record({ stoppedByUs: true }), inspected, 10_000)).toBeUndefined(); // stopped by the service
  });
});

describe('resolveRef', () => {
  const a = { id: 'abcdef012345' + '0'.repeat(52), name: 'alpha' };
  const b = { id: 'abcdef012399' + '1'.repeat(52), name: 'abcdef012345' }; // named like a's id prefix
  const c = { id: 'abcdef012345' + '2'.repeat(52), name: 'gamma' };
  const map = (...rs: Array<{ id: string; name: string }>): Map<string, { id: string; name: string }> => new Map(rs.map((r) => [r.id, r]));

  it('an exact id, then an exact name, win over another container id prefix', () => {
    expect(resolveRef(map(a, b), 'abcdef012345')).toBe(b);
    expect(resolveRef(map(a, b), a.id)).toBe(a);
    expect(resolveRef(map(a, b), 'abcdef0123450')).toBe(a);
    expect(resolveRef(map(a, b), 'alpha')).toBe(a);
  });

  it('a prefix of several ids is FM_AMBIGUOUS_ID; short prefixes and unknown refs are FM_CONTAINER_NOT_FOUND', () => {
    expect(thrown(() => resolveRef(map(a, c), 'abcdef0123'))).toMatchObject({ code: 'FM_CONTAINER_NOT_FOUND' });
    expect(thrown(() => resolveRef(map(a, c), 'abcdef012345'))).toMatchObject({ code: 'FM_AMBIGUOUS_ID', details: { matches: [a.id, c.id] } });
    expect(thrown(() => resolveRef(map(a), 'nope'))).toMatchObject({ code: 'FM_CONTAINER_NOT_FOUND' });
  });
});
