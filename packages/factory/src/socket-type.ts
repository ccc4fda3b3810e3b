import { FactoryError } from './errors.js';

/** The transports `createServer` / `createClient` can build. */
export const SocketType = {
  UNIX: 'unix',
  TCP: 'tcp',
} as const;

export type SocketType = (typeof SocketType)[keyof typeof SocketType];

/** `type` as a SocketType; throws `FACTORY_UNKNOWN_SOCKET_TYPE` for anything else. */
export function toSocketType(type: unknown): SocketType {
  if (type === SocketType.UNIX || type === SocketType.TCP) return type;
  throw new FactoryError('FACTORY_UNKNOWN_SOCKET_TYPE', `unknown socket type ${JSON.stringify(type)}: use 'unix' or 'tcp'`);
}
