import type { EngineClient } from '@pocketdock/engine-socket';
import { KawaflowCompat } from '../compat/kawaflow.js';
import type { ContainerManager } from '../container-manager.js';
import type { HandlerExtension } from '../handler-extension.js';
import type { SocketCommunicationHandler } from '../socket-communication-handler.js';
import type { FlowServer } from '../socketio-event-handler.js';
import type { SystemLogger } from '../system-logger.js';
import type { UserActivityLogger } from '../user-activity-logger.js';
import { Monitor } from './monitor.js';
import { MonitoringEvents } from './monitoring-events.js';
import { createStatsSampler } from './stats-sampler.js';

/** The monitoring and (with `kawaflow`) the compatibility layer, as handler extensions; `close()` stops both. */
export function createMonitoring(parts: {
  o: { kawaflow: boolean; monitorIntervalMs: number; monitorHistorySize: number };
  io: FlowServer;
  manager: ContainerManager;
  sockets: SocketCommunicationHandler;
  activity: UserActivityLogger;
  engine: EngineClient;
  logger: SystemLogger;
}): { monitor: Monitor; extensions: HandlerExtension[]; close(): Promise<void> } {
  const { o, io, manager, sockets, activity, engine, logger } = parts;
  const monitor = new Monitor({ manager, sockets, engine, logger, sampler: createStatsSampler(engine), intervalMs: o.monitorIntervalMs, historySize: o.monitorHistorySize });
  const extensions: HandlerExtension[] = [new MonitoringEvents({ io, manager, monitor, broadcast: o.kawaflow })];
  const compat = o.kawaflow ? new KawaflowCompat({ io, manager, sockets, activity, monitor, engine }) : undefined;
  if (compat) extensions.push(compat);
  return {
    monitor,
    extensions,
    async close() {
      compat?.close();
      await monitor.close();
    },
  };
}
