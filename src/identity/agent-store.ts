import { createHash } from 'node:crypto';
import type { AgentDirectory, AgentStatus } from '../core/ports.js';
import { WardenError } from '../core/errors.js';
import type { AgentConfig } from '../config/schema.js';
import type { SqlClient } from '../backends/sql/sql-client.js';
import { hashSecret, newApiKey, parseApiKey, verifySecret } from './api-keys.js';

export interface AgentView {
  id: string;
  description?: string;
  roles: string[];
  team?: string;
  tags: Record<string, string>;
  suspended: boolean;
  keys: number;
}

/** Verified keys are remembered briefly so scrypt runs once per key, not once per request. */
const VERIFIED_TTL_MS = 60_000;

/**
 * Agents come from the configuration; their mutable state (suspension, API keys) lives in the
 * database so every gateway process sees it on the next request.
 */
export class AgentStore implements AgentDirectory {
  private readonly agents: Map<string, AgentConfig>;
  private readonly verified = new Map<string, { agentId: string; keyId: string; until: number }>();
  private readonly suspended = new Map<string, boolean>();

  /**
   * `soleWriter`: this process is the only one that changes agent state (embedded PGlite holds the
   * data directory's lock), so suspension can be remembered instead of read on every request.
   */
  constructor(
    private readonly db: SqlClient,
    agents: readonly AgentConfig[],
    private readonly soleWriter = false,
  ) {
    this.agents = new Map(agents.map((a) => [a.id, a]));
  }

  async status(agentId: string): Promise<AgentStatus> {
    if (!this.agents.has(agentId)) return { id: agentId, known: false, suspended: false };
    const remembered = this.soleWriter ? this.suspended.get(agentId) : undefined;
    if (remembered !== undefined) return { id: agentId, known: true, suspended: remembered };
    const { rows } = await this.db.query<{ suspended: boolean }>('SELECT suspended FROM agent_state WHERE agent_id = $1', [agentId]);
    const suspended = rows[0]?.suspended ?? false;
    if (this.soleWriter) this.suspended.set(agentId, suspended);
    return { id: agentId, known: true, suspended };
  }

  async list(): Promise<AgentView[]> {
    const { rows: states } = await this.db.query<{ agent_id: string; suspended: boolean }>('SELECT agent_id, suspended FROM agent_state');
    const { rows: keys } = await this.db.query<{ agent_id: string; n: number }>(
      'SELECT agent_id, count(*)::int AS n FROM api_keys WHERE revoked_at IS NULL GROUP BY agent_id',
    );
    const suspended = new Map(states.map((s) => [s.agent_id, s.suspended]));
    const keyCounts = new Map(keys.map((k) => [k.agent_id, Number(k.n)]));
    return [...this.agents.values()].map((a) => ({
      id: a.id,
      ...(a.description ? { description: a.description } : {}),
      roles: a.roles,
      ...(a.team ? { team: a.team } : {}),
      tags: a.tags,
      suspended: suspended.get(a.id) ?? false,
      keys: keyCounts.get(a.id) ?? 0,
    }));
  }

  /** Called after an agent is suspended (the composition root cancels its pending approvals). */
  onSuspended: ((agentId: string) => Promise<void>) | undefined;

  async setSuspended(agentId: string, suspended: boolean): Promise<void> {
    this.requireKnown(agentId);
    await this.db.query(
      `INSERT INTO agent_state (agent_id, suspended, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (agent_id) DO UPDATE SET suspended = EXCLUDED.suspended, updated_at = now()`,
      [agentId, suspended],
    );
    this.suspended.delete(agentId);
    if (suspended) await this.onSuspended?.(agentId);
  }

  /** Creates a key and returns it; only its hash is stored, so this is the one time it is seen. */
  async createKey(agentId: string): Promise<{ keyId: string; key: string }> {
    this.requireKnown(agentId);
    const { keyId, secret, token } = newApiKey();
    await this.db.query('INSERT INTO api_keys (id, agent_id, hash) VALUES ($1, $2, $3)', [keyId, agentId, await hashSecret(secret)]);
    return { keyId, key: token };
  }

  async revokeKey(keyId: string): Promise<void> {
    await this.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [keyId]);
    for (const [digest, v] of this.verified) if (v.keyId === keyId) this.verified.delete(digest);
  }

  /** The agent an API key belongs to, or undefined for a malformed, unknown or revoked key. */
  async authenticate(token: string): Promise<{ agentId: string; keyId: string } | undefined> {
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const digest = createHash('sha256').update(token).digest('hex');
    const hit = this.verified.get(digest);
    if (hit && hit.until > Date.now()) return { agentId: hit.agentId, keyId: hit.keyId };
    const { rows } = await this.db.query<{ agent_id: string; hash: string }>('SELECT agent_id, hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [
      parsed.keyId,
    ]);
    const row = rows[0];
    if (!row || !(await verifySecret(parsed.secret, row.hash))) return undefined;
    this.verified.set(digest, { agentId: row.agent_id, keyId: parsed.keyId, until: Date.now() + VERIFIED_TTL_MS });
    return { agentId: row.agent_id, keyId: parsed.keyId };
  }

  private requireKnown(agentId: string): void {
    if (!this.agents.has(agentId)) throw new WardenError('unknown_agent', `No agent "${agentId}" is configured`);
  }
}
