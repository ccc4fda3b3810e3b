import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Socket } from 'socket.io';

/** The Engine.IO session under a Socket.IO socket (what `maxClients` and `maxUnauthenticatedClients` count). */
export type Session = Socket['conn'];

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
/** Set on a handshake request whose `Authorization: Bearer` header carried the right token. */
const PREAUTHENTICATED = Symbol('pocketdock.flow-manager.preauthenticated');
type Marked = IncomingMessage & { [PREAUTHENTICATED]?: true };

export interface AccessOptions {
  token: string | undefined;
  /** Browser origins allowed besides the service's own (`http://<ip or localhost>:<port>`). */
  allowedOrigins: readonly string[];
  maxClients: number;
  maxUnauthenticatedClients: number;
  /** A session that has not authenticated by then is closed. */
  authTimeoutMs: number;
  /** The port the service listens on (known once it does). */
  port: () => number;
}

/** Why a refused client was refused, for `connect_error`'s `data.code`. */
export type Refusal = { message: string; code: 'FM_UNAUTHORIZED' | 'FM_TOO_MANY_CLIENTS' };

/**
 * Who may connect, checked as early as possible:
 *
 * - the Origin header on **every** HTTP request (handshakes, polls and WebSocket upgrades): absent (servers, CLIs),
 *   one of `allowedOrigins`, or the service's own origin (`http://<host>:<port>` where host is an IP literal or
 *   `localhost`: what python-socketio sends; a DNS name is refused, so DNS rebinding gains nothing);
 * - the token: in the Engine.IO handshake (`Authorization: Bearer <token>`, refused at once when wrong), or in the
 *   Socket.IO `auth` payload when the client connects;
 * - the counts: `maxClients` counts authenticated sessions only. Sessions that have not authenticated yet are held
 *   apart, at most `maxUnauthenticatedClients` (the oldest is dropped for a new one) and for `authTimeoutMs` at
 *   most, so token-less clients never use up what authenticated ones need.
 */
export class AccessControl {
  readonly #o: AccessOptions;
  readonly #expected: Buffer | undefined;
  readonly #origins: Set<string>;
  /** Oldest first (a Set keeps insertion order). */
  readonly #pending = new Map<Session, NodeJS.Timeout>();
  readonly #authenticated = new Set<Session>();

  constructor(options: AccessOptions) {
    this.#o = options;
    this.#expected = options.token === undefined ? undefined : digest(options.token);
    this.#origins = new Set(options.allowedOrigins);
  }

  get authenticatedCount(): number {
    return this.#authenticated.size;
  }

  get unauthenticatedCount(): number {
    return this.#pending.size;
  }

  /** Engine.IO middleware: runs for every HTTP request, upgrades included (`allowRequest` only sees handshakes). */
  readonly middleware = (req: IncomingMessage, _res: ServerResponse, next: (err?: Error) => void): void => {
    const problem = this.#originProblem(req);
    next(problem === undefined ? undefined : new Error(problem));
  };

  /** Engine.IO `allowRequest`: handshakes only. */
  readonly allowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const token = /^Bearer (.+)$/.exec(header)?.[1];
      if (token === undefined || !this.#valid(token)) return callback('unauthorized: wrong token in the Authorization header', false);
      if (this.#authenticated.size >= this.#o.maxClients) return callback(`too many clients (maxClients ${this.#o.maxClients})`, false);
      (req as Marked)[PREAUTHENTICATED] = true;
      return callback(null, true);
    }
    while (this.#pending.size >= this.#o.maxUnauthenticatedClients) this.#drop(this.#pending.keys().next().value!);
    callback(null, true);
  };

  /** Engine.IO `connection`: a new session, authenticated already (handshake token) or not yet. */
  onSession(session: Session): void {
    if ((session.request as Marked)[PREAUTHENTICATED]) this.#authenticated.add(session);
    else this.#pending.set(session, setTimeout(() => this.#drop(session), this.#o.authTimeoutMs));
    session.once('close', () => {
      clearTimeout(this.#pending.get(session));
      this.#pending.delete(session);
      this.#authenticated.delete(session);
    });
  }

  /** Socket.IO namespace middleware: the `auth.token` of the connect packet, unless the session has authenticated already. */
  admit(session: Session, auth: unknown): Refusal | undefined {
    if (this.#authenticated.has(session)) return undefined;
    const token: unknown = (auth as Record<string, unknown> | undefined)?.['token'];
    if (this.#expected !== undefined && !(typeof token === 'string' && this.#valid(token))) {
      return { message: 'unauthorized: send a valid token as auth.token', code: 'FM_UNAUTHORIZED' };
    }
    if (this.#authenticated.size >= this.#o.maxClients) return { message: `too many clients (maxClients ${this.#o.maxClients})`, code: 'FM_TOO_MANY_CLIENTS' };
    clearTimeout(this.#pending.get(session));
    this.#pending.delete(session);
    this.#authenticated.add(session);
    return undefined;
  }

  /** Closes every session that has not authenticated (nothing is owed to them; at shutdown). */
  closeUnauthenticated(): void {
    for (const session of [...this.#pending.keys()]) this.#drop(session);
  }

  /** Closes an unauthenticated session now (discard: a polling one that never polls again goes at once, not after 30 s). */
  #drop(session: Session): void {
    clearTimeout(this.#pending.get(session));
    this.#pending.delete(session);
    session.close(true);
  }

  #valid(token: string): boolean {
    return this.#expected === undefined || timingSafeEqual(digest(token), this.#expected);
  }

  #originProblem(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (origin === undefined || this.#origins.has(origin) || this.#isOwnOrigin(origin, req.headers.host)) return undefined;
    return `origin ${origin} is not allowed`;
  }

  #isOwnOrigin(origin: string, host: string | undefined): boolean {
    if (host === undefined || origin !== `http://${host}`) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const name = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? 80 : Number(url.port);
    return port === this.#o.port() && (name === 'localhost' || isIP(name) !== 0);
  }
}
