import type { Logger } from 'pino';
import type { LeaderLease } from './leader-lease.js';

export type Role = 'leader' | 'standby';

export interface Elector {
  readonly role: Role;
  /** Aborted when this instance loses the lease: the drain in flight stops fetching. */
  readonly leadership: AbortSignal;
  start(): void;
  /** Stops the loop and releases the lease if held (the standby takes over at once). */
  stop(): Promise<void>;
}

export interface ElectorOptions {
  readonly lease: LeaderLease;
  /** How often to renew (as leader) or try to take over (as standby), in ms. */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Called on becoming the leader: the daemon drains at once instead of waiting for a tick. */
  readonly onElected: () => void;
  readonly onRoleChange?: (role: Role) => void;
  /**
   * Run at the start of each round in which this instance stands by, before it tries the lease:
   * the daemon keeps its copy of the cursor fresh there. A failure is logged, never fatal.
   */
  readonly onStandbyRound?: () => Promise<void>;
}

/**
 * Keeps the leader lease: renews it while held, tries to take it over while standing by. A standby
 * notices a dead leader within the lease TTL plus one interval. Redis being unreachable is not a
 * loss by itself: leadership ends when the lease's TTL has run out since the last renewal.
 */
export function createElector(options: ElectorOptions): Elector {
  const { lease, logger } = options;
  let role: Role = 'standby';
  let leadership = new AbortController();
  leadership.abort();
  let active = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let unreachable = false;

  const become = (next: Role, why: 'elected' | 'lost' | 'shutdown' = next === 'leader' ? 'elected' : 'lost') => {
    if (next === role) return;
    role = next;
    if (next === 'leader') {
      leadership = new AbortController();
      logger.info({ lease: lease.key, token: lease.token }, 'became the leader: this instance polls WorkOS');
    } else {
      leadership.abort();
      if (why === 'lost') logger.warn({ lease: lease.key }, 'lost the leader lease: standing by');
    }
    options.onRoleChange?.(next);
    if (next === 'leader') options.onElected();
  };

  const round = async () => {
    if (role === 'standby' && options.onStandbyRound) {
      await options.onStandbyRound().catch((err: unknown) => logger.debug({ err }, 'standby could not refresh its copy of the cursor'));
    }
    try {
      const held = await lease.acquireOrRenew();
      if (unreachable) logger.info({ lease: lease.key }, 'the leader lease is reachable again');
      unreachable = false;
      if (!held && role === 'standby') logger.debug({ holder: await lease.holder().catch(() => null) }, 'standing by: another instance holds the lease');
      become(held ? 'leader' : 'standby');
    } catch (err) {
      if (!unreachable) logger.warn({ err, lease: lease.key }, 'cannot reach Redis to keep the leader lease');
      unreachable = true;
      if (!lease.isHeld()) become('standby');
    }
  };

  const loop = () => {
    running = round().finally(() => {
      running = undefined;
      if (active) timer = setTimeout(loop, options.intervalMs);
    });
  };

  return {
    get role() {
      return role;
    },
    get leadership() {
      return leadership.signal;
    },
    start() {
      active = true;
      loop();
    },
    async stop() {
      active = false;
      clearTimeout(timer);
      await running;
      if (role === 'leader') {
        become('standby', 'shutdown');
        await lease.release().catch((err: unknown) => logger.warn({ err }, 'could not release the leader lease; it expires by itself'));
      }
    },
  };
}
