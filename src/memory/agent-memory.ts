import { performance } from 'node:perf_hooks';
import type { SqlClient } from '../backends/sql/sql-client.js';
import type { Action } from '../core/action.js';
import { isPlainObject } from '../core/context.js';
import type { Execution, Executor, ToolResult } from '../core/ports.js';
import { decryptWith, encryptWith } from '../crypto/envelope.js';
import type { KeyHierarchy } from '../crypto/key-hierarchy.js';
import { memoryScope } from '../crypto/scopes.js';

export const MAX_MEMORY_BYTES = 65_536;
const MEMORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Agent memory, encrypted at rest: each value under its agent's memory key (below the tenant
 * key), bound to `{tenant, agent, memory}`, so one agent's value can never be read as another's.
 * Executes `memory.read` and `memory.write` after the Gate allowed them.
 */
export class AgentMemory implements Executor {
  constructor(
    private readonly db: SqlClient,
    private readonly keys: KeyHierarchy,
    private readonly tenant: string,
  ) {}

  async execute(action: Action): Promise<Execution> {
    const started = performance.now();
    const done = (result: ToolResult, error?: string): Execution => ({
      outcome: result.isError ? 'tool_error' : 'success',
      result,
      attempts: 1,
      durationMs: Math.round(performance.now() - started),
      ...(error ? { error } : {}),
    });
    const refuse = (message: string) => done({ isError: true, content: [{ type: 'text', text: message }] }, message);
    if (!MEMORY_NAME.test(action.resource)) return refuse('a memory name is 1–128 letters, digits, ".", "_", ":" or "-"');
    if (action.verb === 'memory.write') {
      const args = isPlainObject(action.context.args) ? action.context.args : {};
      if (typeof args.value !== 'string') return refuse('memory.write needs a string argument "value"');
      if (Buffer.byteLength(args.value) > MAX_MEMORY_BYTES) return refuse(`a memory value is at most ${MAX_MEMORY_BYTES} bytes`);
      await this.write(action.agentId, action.resource, args.value);
      return done({ content: [{ type: 'text', text: `stored ${action.resource}` }], structuredContent: { name: action.resource, stored: true } });
    }
    const value = await this.read(action.agentId, action.resource);
    if (value === undefined) return refuse(`no memory named ${action.resource}`);
    return done({ content: [{ type: 'text', text: value }], structuredContent: { name: action.resource, value } });
  }

  async write(agentId: string, name: string, value: string): Promise<void> {
    const key = await this.keys.key(memoryScope(this.tenant, agentId));
    const ciphertext = await encryptWith(key.keyring(), Buffer.from(value, 'utf8'), { tenant: this.tenant, agent: agentId, memory: name });
    await this.db.query(
      `INSERT INTO agent_memory (tenant, agent_id, name, ciphertext) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant, agent_id, name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
      [this.tenant, agentId, name, ciphertext],
    );
  }

  async read(agentId: string, name: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ ciphertext: Uint8Array }>('SELECT ciphertext FROM agent_memory WHERE tenant = $1 AND agent_id = $2 AND name = $3', [
      this.tenant,
      agentId,
      name,
    ]);
    if (!rows[0]) return undefined;
    const key = await this.keys.key(memoryScope(this.tenant, agentId));
    return (await decryptWith(key.keyring(), Buffer.from(rows[0].ciphertext), { tenant: this.tenant, agent: agentId, memory: name })).toString('utf8');
  }

  /** Deletes a tenant's memories (its key is destroyed with the tenant's: this only tidies up). */
  async forgetTenant(tenant: string): Promise<number> {
    return (await this.db.query('DELETE FROM agent_memory WHERE tenant = $1 RETURNING name', [tenant])).rows.length;
  }
}
