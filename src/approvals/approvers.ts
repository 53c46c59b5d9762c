import { WardenError } from '../core/errors.js';
import type { ApproverConfig } from '../config/schema.js';
import type { SqlClient } from '../backends/sql/sql-client.js';
import { hashSecret, newApiKey, verifySecret } from '../identity/api-keys.js';

/** Approver keys are `wdn_apr_<key id>_<secret>`: never confused with an agent key (`wdn_<id>_…`) or the admin token (`wdn_admin_…`). */
const APPROVER_KEY = /^wdn_apr_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

export const APPROVER_KEY_PREFIX = 'wdn_apr_';

/** Whether a bearer token is shaped like an approver key (says nothing about whether it is valid). */
export function isApproverKey(token: string): boolean {
  return token.startsWith(APPROVER_KEY_PREFIX);
}

export interface ApproverView {
  id: string;
  name?: string;
  teams: string[];
  keys: number;
}

/**
 * The humans who may approve: configured in `approvers:`, authenticated by their own API keys,
 * stored hashed in `approver_keys`. An approver removed from the configuration stops
 * authenticating at once, whatever keys it still has.
 */
export class Approvers {
  private readonly byId: Map<string, ApproverConfig>;

  constructor(
    private readonly db: SqlClient,
    approvers: readonly ApproverConfig[],
  ) {
    this.byId = new Map(approvers.map((a) => [a.id, a]));
  }

  has(approverId: string): boolean {
    return this.byId.has(approverId);
  }

  get(approverId: string): ApproverConfig | undefined {
    return this.byId.get(approverId);
  }

  async list(): Promise<ApproverView[]> {
    const { rows } = await this.db.query<{ approver_id: string; n: number }>(
      'SELECT approver_id, count(*)::int AS n FROM approver_keys WHERE revoked_at IS NULL GROUP BY approver_id',
    );
    const keys = new Map(rows.map((r) => [r.approver_id, Number(r.n)]));
    return [...this.byId.values()].map((a) => ({ id: a.id, ...(a.name ? { name: a.name } : {}), teams: a.teams, keys: keys.get(a.id) ?? 0 }));
  }

  /** Creates a key for a configured approver; only its hash is stored, so this is the one time it is seen. */
  async createKey(approverId: string): Promise<{ keyId: string; key: string }> {
    if (!this.byId.has(approverId)) throw new WardenError('unknown_approver', `No approver "${approverId}" is configured (approvers: in warden.yaml)`);
    const { keyId, secret } = newApiKey();
    await this.db.query('INSERT INTO approver_keys (id, approver_id, hash) VALUES ($1, $2, $3)', [keyId, approverId, await hashSecret(secret)]);
    return { keyId, key: `${APPROVER_KEY_PREFIX}${keyId}_${secret}` };
  }

  async revokeKey(keyId: string): Promise<boolean> {
    const { rows } = await this.db.query('UPDATE approver_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [keyId]);
    return rows.length > 0;
  }

  /** The approver a bearer token belongs to; undefined for anything else (agent keys and the admin token included). */
  async authenticate(token: string): Promise<string | undefined> {
    const m = APPROVER_KEY.exec(token);
    if (!m) return undefined;
    const [, keyId, secret] = m as unknown as [string, string, string];
    const { rows } = await this.db.query<{ approver_id: string; hash: string }>('SELECT approver_id, hash FROM approver_keys WHERE id = $1 AND revoked_at IS NULL', [keyId]);
    const row = rows[0];
    if (!row || !this.byId.has(row.approver_id)) return undefined;
    return (await verifySecret(secret, row.hash)) ? row.approver_id : undefined;
  }
}
