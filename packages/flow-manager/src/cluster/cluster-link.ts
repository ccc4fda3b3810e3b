import type { ContainerInfo } from '../models.js';

/** What the Socket.IO layer asks of the cluster (see ClusterNode). */
export interface ClusterLink {
  /** Every instance's flows (this one's first). */
  listAll(): Promise<ContainerInfo[]>;
  /** The flows a client id is subscribed to, on any instance. */
  subscriptionsOf(identity: string): Promise<string[]>;
  addSubscription(identity: string, containerId: string): void;
  removeSubscription(identity: string, containerId: string): void;
}
