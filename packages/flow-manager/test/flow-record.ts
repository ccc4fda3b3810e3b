import type { FlowRecord } from '../src/records.js';

/** A running flow's record (started at 1 s, state read at `stateAsOfMs` 1 s), with `extra` over it. */
export function flowRecord(extra: Partial<FlowRecord> = {}): FlowRecord {
  return {
    id: 'a'.repeat(64),
    name: 'flow',
    image: 'i',
    key: 'k',
    createdAt: new Date(0),
    startedAt: new Date(1_000),
    state: 'running',
    exitCode: null,
    crashed: false,
    stoppedByUs: false,
    ops: [],
    stateAsOfMs: 1_000,
    reportedEndMs: undefined,
    codeTarget: null,
    codePath: null,
    command: null,
    workingDir: null,
    environmentKeys: [],
    volumes: [],
    ports: {},
    handle: undefined,
    usage: null,
    usageRefresh: undefined,
    lock: Promise.resolve(),
    ...extra,
  };
}
