import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ProvenanceIndex } from '../core/ports.js';
import { argumentKeys, leaves, valueKeys } from './values.js';

/**
 * Where the values in an agent session came from. Every string of a tool output (and its
 * significant substrings) is indexed with the output's labels (`untrusted`, `pii`,
 * `source:<tool>`, `kb:<id>`); a later call whose arguments contain such a value carries those
 * labels into the policy context. Values are held as digests only. Bounded per session (oldest
 * entries go first) and forgotten after `ttlSeconds` without activity.
 *
 * LIMIT: matching is exact on normal forms. A value the model rewrites beyond recognition (a
 * paraphrase, a sum it computed, a name it retyped with a typo) escapes it; policies that must
 * not depend on that ask for approval whenever the session has seen untrusted content at all
 * (`context.session.untrusted`).
 */

export interface ProvenanceLimits {
  maxValuesPerSession: number;
  ttlSeconds: number;
}

export const DEFAULT_PROVENANCE_LIMITS: ProvenanceLimits = { maxValuesPerSession: 5_000, ttlSeconds: 3_600 };
const MAX_SESSIONS = 10_000;
const UNTRUSTED = 'untrusted';

/** The keys a result contributes: every leaf, with JSON text items walked as JSON. */
function resultKeys(result: unknown): Set<string> {
  const keys = new Set<string>();
  leaves(result, (leaf) => {
    if (typeof leaf === 'number') {
      for (const k of argumentKeys(leaf)) keys.add(k);
      return;
    }
    const trimmed = leaf.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        leaves(JSON.parse(leaf), (inner) => {
          for (const k of typeof inner === 'number' ? argumentKeys(inner) : valueKeys(inner)) keys.add(k);
        });
        return;
      } catch {
        // Not JSON after all: index it as text.
      }
    }
    for (const k of valueKeys(leaf)) keys.add(k);
  });
  return keys;
}

function argKeys(args: Record<string, unknown>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [name, value] of Object.entries(args)) {
    const keys = new Set<string>();
    leaves(value, (leaf) => {
      for (const k of argumentKeys(leaf)) keys.add(k);
    });
    if (keys.size) out.set(name, keys);
  }
  return out;
}

interface Session {
  /** Insertion-ordered, so the first entries are the oldest. */
  values: Map<string, Set<string>>;
  untrusted: boolean;
  touched: number;
}

/** In-process provenance for the embedded shape. */
export class MemoryProvenance implements ProvenanceIndex {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: ProvenanceLimits = DEFAULT_PROVENANCE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  private session(id: string, create: boolean): Session | undefined {
    const existing = this.sessions.get(id);
    const now = this.now();
    if (existing && now - existing.touched <= this.limits.ttlSeconds * 1000) {
      existing.touched = now;
      // Re-insert so the map's order is least recently used first.
      this.sessions.delete(id);
      this.sessions.set(id, existing);
      return existing;
    }
    if (existing) this.sessions.delete(id);
    if (!create) return undefined;
    const fresh: Session = { values: new Map(), untrusted: false, touched: now };
    this.sessions.set(id, fresh);
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return fresh;
  }

  async observe(sessionId: string, result: unknown, labels: readonly string[]): Promise<void> {
    const session = this.session(sessionId, true)!;
    if (labels.includes(UNTRUSTED)) session.untrusted = true;
    for (const key of resultKeys(result)) {
      const known = session.values.get(key);
      if (known) {
        for (const l of labels) known.add(l);
        continue;
      }
      session.values.set(key, new Set(labels));
      if (session.values.size > this.limits.maxValuesPerSession) session.values.delete(session.values.keys().next().value!);
    }
  }

  async labelsFor(sessionId: string, args: Record<string, unknown>): Promise<{ labels: Record<string, string[]>; untrusted: boolean }> {
    const session = this.session(sessionId, false);
    if (!session) return { labels: {}, untrusted: false };
    const labels: Record<string, string[]> = {};
    for (const [name, keys] of argKeys(args)) {
      const found = new Set<string>();
      for (const k of keys) for (const l of session.values.get(k) ?? []) found.add(l);
      if (found.size) labels[name] = [...found].sort();
    }
    return { labels, untrusted: session.untrusted };
  }
}

/**
 * Provenance in Redis, so every gateway replica sees the same session: one hash per session
 * (field = value digest, value = labels), expiring after `ttlSeconds` without activity. The fields
 * are keyed digests (HMAC under a key of the tenant's key hierarchy): a plain digest of an amount
 * or an account number could be guessed back from a copy of Redis; these cannot without the key.
 * The bound is approximate: past it, new values are not indexed (and the session counts as
 * untrusted, so policies that require approval for untrusted sessions still hold).
 */
export class RedisProvenance implements ProvenanceIndex {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly fieldKey: Buffer,
    private readonly limits: ProvenanceLimits = DEFAULT_PROVENANCE_LIMITS,
  ) {}

  private key(session: string): string {
    return `${this.prefix}:prov:${session}`;
  }

  private fields(keys: Iterable<string>): string[] {
    return [...keys].map((k) => createHmac('sha256', this.fieldKey).update(k).digest('base64url').slice(0, 22));
  }

  async observe(sessionId: string, result: unknown, labels: readonly string[]): Promise<void> {
    const key = this.key(sessionId);
    const keys = this.fields(resultKeys(result));
    const size = await this.redis.hlen(key);
    const room = Math.max(0, this.limits.maxValuesPerSession - size);
    const multi = this.redis.multi();
    if (labels.includes(UNTRUSTED) || keys.length > room) multi.hset(key, '!untrusted', '1');
    if (keys.length && room) {
      const existing = await this.redis.hmget(key, ...keys.slice(0, room));
      keys.slice(0, room).forEach((k, i) => {
        const merged = new Set([...(existing[i]?.split(',').filter(Boolean) ?? []), ...labels]);
        multi.hset(key, k, [...merged].sort().join(','));
      });
    }
    multi.expire(key, this.limits.ttlSeconds);
    await multi.exec();
  }

  async labelsFor(sessionId: string, args: Record<string, unknown>): Promise<{ labels: Record<string, string[]>; untrusted: boolean }> {
    const key = this.key(sessionId);
    const perArg = new Map([...argKeys(args)].map(([name, keys]) => [name, new Set(this.fields(keys))]));
    const all = [...new Set([...perArg.values()].flatMap((s) => [...s]))];
    const [flag, ...found] = await this.redis.hmget(key, '!untrusted', ...all);
    const byKey = new Map(all.map((k, i) => [k, found[i]]));
    const labels: Record<string, string[]> = {};
    for (const [name, keys] of perArg) {
      const set = new Set<string>();
      for (const k of keys) for (const l of byKey.get(k)?.split(',') ?? []) if (l) set.add(l);
      if (set.size) labels[name] = [...set].sort();
    }
    return { labels, untrusted: flag === '1' };
  }
}
