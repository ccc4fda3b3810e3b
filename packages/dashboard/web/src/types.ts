import type {
  ActivityEntry,
  AckResponse,
  ClientToServerEvents,
  ContainerStatus,
  FlowMessage,
  LiveClientToServerEvents,
  LiveContainer,
  LiveServerToClientEvents,
  LogLine,
  ServerToClientEvents,
  StatsSample,
} from '@pocketdock/flow-manager';

export type { ActivityEntry, AckResponse, ContainerStatus, FlowMessage, LiveContainer, LogLine, StatsSample };

/** Everything the page sends, and everything it hears: flow-manager's own typed event maps. */
export type ClientEvents = ClientToServerEvents & LiveClientToServerEvents;
export type ServerEvents = ServerToClientEvents & LiveServerToClientEvents;

/** The first argument of a client event. */
export type PayloadOf<E extends keyof ClientEvents> = Parameters<ClientEvents[E]>[0];
/** What a client event's acknowledgement carries when it succeeds. */
export type AnswerOf<E extends keyof ClientEvents> = Parameters<ClientEvents[E]>[1] extends (r: AckResponse<infer T>) => void ? T : never;

/** A row of the overview with its recent samples (for the small chart). */
export interface Row extends LiveContainer {
  cpu: number[];
  mem: number[];
  sample: StatsSample | null;
  /** performance.now() when the last push for it arrived (the benchmark reads it). */
  pushedAt: number;
  /** performance.now() when `uptime` was read (the page adds the time since). */
  receivedAt: number;
}
