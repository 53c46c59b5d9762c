import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databases, resetDatabase } from './support/databases.js';
import { migrate } from '../src/backends/sql/migrations.js';
import type { SqlClient } from '../src/backends/sql/sql-client.js';
import { AgentStore } from '../src/identity/agent-store.js';
import { configSchema } from '../src/config/schema.js';

const agents = configSchema.shape.agents.parse([
  { id: 'support-bot', roles: [], tags: { env: 'prod' } },
  { id: 'finance-bot', roles: [] },
]);

describe.each(databases)('storage on $name', ({ open }) => {
  let db: SqlClient;
  let drop: () => Promise<void>;
  let store: AgentStore;

  beforeAll(async () => {
    ({ db, drop } = await open());
  });
  beforeEach(async () => {
    await resetDatabase(db);
    store = new AgentStore(db, agents);
  });
  afterAll(async () => drop());

  it('runs migrations once: a second run applies nothing', async () => {
    expect(await migrate(db)).toBe(0);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0]?.n).toBeGreaterThan(0);
  });

  it('reports configured agents as known and active until suspended', async () => {
    expect(await store.status('support-bot')).toEqual({ id: 'support-bot', known: true, suspended: false });
    await store.setSuspended('support-bot', true);
    expect((await store.status('support-bot')).suspended).toBe(true);
    await store.setSuspended('support-bot', false);
    expect((await store.status('support-bot')).suspended).toBe(false);
  });

  it('lets every process see a suspension on its next request', async () => {
    const other = new AgentStore(db, agents);
    expect((await other.status('support-bot')).suspended).toBe(false);
    await store.setSuspended('support-bot', true);
    expect((await other.status('support-bot')).suspended).toBe(true);
  });

  it('as the sole writer, remembers suspension and still sees its own changes at once', async () => {
    const sole = new AgentStore(db, agents, true);
    expect((await sole.status('finance-bot')).suspended).toBe(false);
    await sole.setSuspended('finance-bot', true);
    expect((await sole.status('finance-bot')).suspended).toBe(true);
    await sole.setSuspended('finance-bot', false);
    expect((await sole.status('finance-bot')).suspended).toBe(false);
  });

  it('reports an agent missing from the configuration as unknown', async () => {
    expect(await store.status('shadow-bot')).toEqual({ id: 'shadow-bot', known: false, suspended: false });
    await expect(store.setSuspended('shadow-bot', true)).rejects.toMatchObject({ code: 'unknown_agent' });
    await expect(store.createKey('shadow-bot')).rejects.toMatchObject({ code: 'unknown_agent' });
  });

  it('stores API keys only as scrypt hashes and authenticates the key it printed', async () => {
    const { keyId, key } = await store.createKey('finance-bot');
    const { rows } = await db.query<{ hash: string }>('SELECT hash FROM api_keys WHERE id = $1', [keyId]);
    expect(rows[0]?.hash).toMatch(/^scrypt\$/);
    expect(rows[0]?.hash).not.toContain(key.split('_')[2]);
    expect(await store.authenticate(key)).toEqual({ agentId: 'finance-bot', keyId });
    const list = await store.list();
    expect(list.find((a) => a.id === 'finance-bot')?.keys).toBe(1);
  });

  it('rejects a key with a wrong secret, a malformed key and a revoked key', async () => {
    const { keyId, key } = await store.createKey('finance-bot');
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect(await store.authenticate(wrong)).toBeUndefined();
    expect(await store.authenticate('not-a-key')).toBeUndefined();
    expect(await store.authenticate(key)).toBeDefined();
    await store.revokeKey(keyId);
    expect(await store.authenticate(key)).toBeUndefined();
  });
});
