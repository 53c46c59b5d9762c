import type { Redis } from 'ioredis';
import type { ToolConfig } from '../config/schema.js';
import type { SessionHistory } from '../core/ports.js';

/**
 * What an agent has done so far, for policies such as "at most 3 transfers an hour" or "approval
 * once today's total passes 2,000": per session, per agent and UTC hour, per agent and UTC day,
 * the number of executed calls per tool and the running totals of its numeric arguments.
 * Counted when a call executed successfully; two calls decided at the same instant both see the
 * total before either (policies bound a total, they do not serialise transfers).
 */
type Tally = Map<string, number>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const bucketsOf = (agentId: string, session: string, now: Date) => ({
  session: `s:${agentId}:${session}`,
  hour: `h:${agentId}:${Math.floor(now.getTime() / HOUR)}`,
  day: `d:${agentId}:${Math.floor(now.getTime() / DAY)}`,
});

const callField = (tool: string) => `c|${tool}`;
const totalField = (tool: string, arg: string) => `t|${tool}|${arg}`;

/** Numeric arguments of a call, as the totals count them. */
export function numericArgs(args: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(args).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/** Turns tallies into the policy context: every configured tool and numeric argument present, zero when unseen. */
export class HistoryShape {
  private readonly tools: { id: string; numeric: string[] }[];

  constructor(tools: readonly ToolConfig[]) {
    this.tools = tools.map((t) => ({ id: t.id, numeric: Object.entries(t.args).flatMap(([name, type]) => (type === 'long' ? [name] : [])) }));
  }

  /** The history of an agent that has done nothing yet (policy tests start from it). */
  empty(): Record<string, unknown> {
    const none = this.context(new Map());
    return { session: none, hour: none, day: none };
  }

  context(tally: Tally): { calls: Record<string, number>; totals: Record<string, Record<string, number>> } {
    const calls: Record<string, number> = {};
    const totals: Record<string, Record<string, number>> = {};
    for (const t of this.tools) {
      calls[t.id] = Math.round(tally.get(callField(t.id)) ?? 0);
      if (t.numeric.length) totals[t.id] = Object.fromEntries(t.numeric.map((a) => [a, Math.round(tally.get(totalField(t.id, a)) ?? 0)]));
    }
    return { calls, totals };
  }
}

abstract class TallyHistory implements SessionHistory {
  constructor(protected readonly shape: HistoryShape) {}

  protected abstract read(keys: string[]): Promise<Tally[]>;
  protected abstract add(keys: { key: string; ttlSeconds: number }[], fields: [string, number][]): Promise<void>;

  async snapshot(agentId: string, session: string, now: Date): Promise<Record<string, unknown>> {
    const b = bucketsOf(agentId, session, now);
    const [s, h, d] = await this.read([b.session, b.hour, b.day]);
    return { session: this.shape.context(s!), hour: this.shape.context(h!), day: this.shape.context(d!) };
  }

  async record(agentId: string, session: string, tool: string, args: Record<string, unknown>, now: Date): Promise<void> {
    const b = bucketsOf(agentId, session, now);
    const fields: [string, number][] = [[callField(tool), 1], ...Object.entries(numericArgs(args)).map(([a, v]) => [totalField(tool, a), v] as [string, number])];
    await this.add(
      [
        { key: b.session, ttlSeconds: DAY / 1000 },
        { key: b.hour, ttlSeconds: (2 * HOUR) / 1000 },
        { key: b.day, ttlSeconds: (2 * DAY) / 1000 },
      ],
      fields,
    );
  }
}

/** In-process history for the embedded shape; buckets past their window are dropped. */
export class MemoryHistory extends TallyHistory {
  private readonly buckets = new Map<string, { tally: Tally; expires: number }>();

  constructor(
    shape: HistoryShape,
    private readonly clock: () => number = Date.now,
  ) {
    super(shape);
  }

  protected async read(keys: string[]): Promise<Tally[]> {
    const now = this.clock();
    return keys.map((k) => {
      const b = this.buckets.get(k);
      return b && b.expires > now ? b.tally : new Map();
    });
  }

  protected async add(keys: { key: string; ttlSeconds: number }[], fields: [string, number][]): Promise<void> {
    const now = this.clock();
    for (const [k, b] of this.buckets) if (b.expires <= now) this.buckets.delete(k);
    for (const { key, ttlSeconds } of keys) {
      let b = this.buckets.get(key);
      if (!b) this.buckets.set(key, (b = { tally: new Map(), expires: 0 }));
      b.expires = now + ttlSeconds * 1000;
      for (const [f, v] of fields) b.tally.set(f, (b.tally.get(f) ?? 0) + v);
    }
  }
}

/** History in Redis (HINCRBYFLOAT per field), shared by every gateway replica. */
export class RedisHistory extends TallyHistory {
  constructor(
    shape: HistoryShape,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super(shape);
  }

  protected async read(keys: string[]): Promise<Tally[]> {
    const rows = await Promise.all(keys.map((k) => this.redis.hgetall(`${this.prefix}:hist:${k}`)));
    return rows.map((row) => new Map(Object.entries(row).map(([f, v]) => [f, Number(v)])));
  }

  protected async add(keys: { key: string; ttlSeconds: number }[], fields: [string, number][]): Promise<void> {
    const multi = this.redis.multi();
    for (const { key, ttlSeconds } of keys) {
      const k = `${this.prefix}:hist:${key}`;
      for (const [f, v] of fields) multi.hincrbyfloat(k, f, v);
      multi.expire(k, ttlSeconds);
    }
    await multi.exec();
  }
}
