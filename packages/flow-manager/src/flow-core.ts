import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerManager } from './container-manager.js';
import { FlowCode } from './flow-code.js';
import type { FlowCore } from './local-flows.js';
import type { ResolvedFlowManagerOptions } from './options.js';
import { SocketCommunicationHandler } from './socket-communication-handler.js';
import { StateStore } from './state-store.js';
import type { SystemLogger } from './system-logger.js';
import type { UserActivityLogger } from './user-activity-logger.js';

/**
 * The container manager and flow sockets of one instance in `socketDir` (the service's own, or in a cluster a dead
 * member's it adopts), not started yet: `core.manager.start()` recovers its containers and listens on their sockets.
 */
export async function createFlowCore(p: {
  o: ResolvedFlowManagerOptions;
  engine: EngineClient;
  logger: SystemLogger;
  activity: UserActivityLogger;
  instance: string;
  socketDir: string;
}): Promise<{ core: FlowCore; state: StateStore }> {
  const { o, logger } = p;
  await mkdir(p.socketDir, { recursive: true, mode: 0o700 });
  const sockets = new SocketCommunicationHandler({ socketDir: p.socketDir, maxMessageBytes: o.maxMessageBytes, replyTimeoutMs: o.replyTimeoutMs, inboxSize: 1_000 });
  const held = new Set<string>();
  sockets.on('held', (id, err) => {
    if (held.has(id)) return;
    held.add(id);
    logger.warn({ container_id: id, err: err.message }, 'flow socket held by another live server (a flow-manager still stopping?); taking it over once it is free');
  });
  const state = new StateStore(join(p.socketDir, 'state'));
  const manager = new ContainerManager({
    engine: p.engine,
    sockets,
    activity: p.activity,
    logger,
    code: new FlowCode(join(p.socketDir, 'code')),
    state,
    instance: p.instance,
    allowedRoots: o.allowedRoots,
    allowWritableVolumes: o.allowWritableVolumes,
    maxContainers: o.maxContainers,
    defaultImage: o.defaultImage,
    defaultCommand: o.defaultCommand,
    labels: o.labels,
    network: o.network,
    stopTimeoutMs: o.stopTimeoutMs,
    updateTimeoutMs: o.updateTimeoutMs,
    statsMaxAgeMs: o.statsMaxAgeMs,
  });
  return { core: { instance: p.instance, manager, sockets }, state };
}
