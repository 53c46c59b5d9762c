import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SqlClient } from '../src/backends/sql/sql-client.js';
import { KnowledgeStore, type Reader } from '../src/knowledge/store.js';
import { databases } from './support/databases.js';

const DIMS = 256;
const unit = (i: number) => {
  const v = new Float32Array(DIMS);
  v[i % DIMS] = 1;
  return v;
};

/** Documents at every level: public, internal, confidential (finance), restricted (finance), confidential without an owner. */
const DOCS = [
  { id: 'pub', level: 1, team: '' },
  { id: 'int', level: 2, team: 'support' },
  { id: 'conf-fin', level: 3, team: 'finance' },
  { id: 'restr-fin', level: 4, team: 'finance' },
  { id: 'conf-any', level: 3, team: '' },
];

const support: Reader = { agentId: 'support-bot', clearance: 2, teams: ['support'] };
const finance: Reader = { agentId: 'finance-bot', clearance: 3, teams: ['finance'] };

/** What row-level security must allow: clearance reaches the level and, from confidential up, the team owns it (or nobody does). */
const mayRead = (r: Reader, d: { level: number; team: string }) => d.level <= r.clearance && (d.level < 3 || d.team === '' || r.teams.includes(d.team));

for (const backend of databases) {
  describe(`knowledge row-level security on ${backend.name}`, () => {
    let db: SqlClient;
    let drop: () => Promise<void>;
    let store: KnowledgeStore;

    beforeAll(async () => {
      ({ db, drop } = await backend.open());
      store = new KnowledgeStore(db);
      for (const [i, d] of DOCS.entries()) {
        await store.putDocument(
          { id: d.id, tenant: 'acme', kb: 'handbook', source: `${d.id}.md`, sensitivityLevel: d.level, ownerTeam: d.team, contentDigest: d.id },
          [0, 1].map((ord) => ({ id: `${d.id}:${ord}`, ord, embedding: unit(i * 2 + ord), lexemes: `salary band ${d.id}`, ciphertext: Buffer.from([i, ord]) })),
        );
      }
    });
    afterAll(() => drop());

    it('shows support-bot no confidential chunk, through the search path', async () => {
      const hits = await store.search(support, { tenant: 'acme', kb: 'handbook', embedding: unit(4), terms: ['salary'], k: 10 });
      expect(new Set(hits.map((h) => h.documentId))).toEqual(new Set(['pub', 'int']));
    });

    it('shows finance-bot its confidential chunks but not restricted ones', async () => {
      const hits = await store.search(finance, { tenant: 'acme', kb: 'handbook', embedding: unit(4), terms: ['salary'], k: 10 });
      expect(new Set(hits.map((h) => h.documentId))).toEqual(new Set(['pub', 'int', 'conf-fin', 'conf-any']));
      expect(hits[0]!.documentId).toBe('conf-fin');
    });

    it('returns nothing beyond the reader to raw SQL on the restricted role, whatever it selects', async () => {
      const visible = await store.asReader(support, async (tx) => ({
        chunks: (await tx.query<{ id: string }>('SELECT id FROM kb_chunks')).rows.map((r) => r.id),
        documents: (await tx.query<{ id: string }>('SELECT id FROM kb_documents')).rows.map((r) => r.id),
        counted: (await tx.query<{ n: number }>('SELECT count(*)::integer AS n FROM kb_chunks WHERE sensitivity_level >= 3')).rows[0]!.n,
      }));
      expect(visible.documents.sort()).toEqual(['int', 'pub']);
      expect(visible.chunks.sort()).toEqual(['int:0', 'int:1', 'pub:0', 'pub:1']);
      expect(visible.counted).toBe(0);
    });

    it('lets the restricted role change nothing', async () => {
      await expect(store.asReader(finance, (tx) => tx.query("DELETE FROM kb_chunks WHERE document_id = 'pub'"))).rejects.toThrow(/permission denied/);
      await expect(store.asReader(finance, (tx) => tx.query("UPDATE kb_chunks SET sensitivity_level = 1 WHERE document_id = 'restr-fin'"))).rejects.toThrow(/permission denied/);
      const all = await db.query<{ n: number }>('SELECT count(*)::integer AS n FROM kb_chunks');
      expect(all.rows[0]!.n).toBe(DOCS.length * 2);
    });

    it('shows a session without the reader settings nothing at all', async () => {
      const rows = await db.transaction(async (tx) => {
        await tx.query('SET LOCAL ROLE warden_retriever');
        return (await tx.query('SELECT id FROM kb_chunks')).rows;
      });
      expect(rows).toEqual([]);
    });

    it('does not carry one reader’s settings into the next transaction', async () => {
      await store.asReader(finance, (tx) => tx.query('SELECT 1'));
      const rows = await db.transaction(async (tx) => {
        await tx.query('SET LOCAL ROLE warden_retriever');
        return (await tx.query('SELECT id FROM kb_chunks')).rows;
      });
      expect(rows).toEqual([]);
    });

    it('agrees with the visibility rule for any clearance and teams', async () => {
      const teams = fc.subarray(['finance', 'support', 'research']);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 4 }), teams, async (clearance, t) => {
          const reader: Reader = { agentId: 'x', clearance, teams: t };
          const seen = await store.asReader(reader, async (tx) => (await tx.query<{ id: string }>('SELECT DISTINCT document_id AS id FROM kb_chunks')).rows.map((r) => r.id));
          expect(seen.sort()).toEqual(DOCS.filter((d) => mayRead(reader, d)).map((d) => d.id).sort());
        }),
        { numRuns: 25 },
      );
    });

    it('leaves a term found in very many chunks to the vector half, by the planner statistics', async () => {
      const many = Array.from({ length: 400 }, (_, i) => ({ id: `bulk:${i}`, ord: i, embedding: unit(100 + (i % 50)), lexemes: `everywhere rare${i}`, ciphertext: Buffer.from([i % 256]) }));
      await store.putDocument({ id: 'bulk', tenant: 'acme', kb: 'bulk', source: 'bulk.md', sensitivityLevel: 1, ownerTeam: '', contentDigest: 'bulk' }, many);
      await store.analyze();
      const common = await store.commonTerms();
      expect(common.has('everywhere')).toBe(true);
      expect(common.has('rare7')).toBe(false);
      const hits = await store.search(support, { tenant: 'acme', kb: 'bulk', embedding: unit(107), terms: ['everywhere', 'rare7'], k: 3 });
      expect(hits[0]!.id).toBe('bulk:7');
    });

    it('refuses a reader setting that is not a number instead of widening access', async () => {
      await expect(store.asReader({ agentId: 'x', clearance: Number.NaN, teams: [] }, (tx) => tx.query('SELECT id FROM kb_chunks'))).rejects.toThrow();
    });
  });
}
