import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../src/backends/sql/sql-client.js';
import { decryptWith } from '../src/crypto/envelope.js';
import { KeyHierarchy } from '../src/crypto/key-hierarchy.js';
import { localMasterKeys } from '../src/crypto/master-keys.js';
import { documentScope } from '../src/crypto/scopes.js';
import type { KnowledgeBaseConfig } from '../src/config/schema.js';
import { KnowledgeBases } from '../src/knowledge/knowledge-bases.js';
import { localEmbedder } from '../src/knowledge/local-embedder.js';
import { KnowledgeStore, type Reader } from '../src/knowledge/store.js';
import { databases } from './support/databases.js';

const FIXTURES = path.resolve('test/fixtures/knowledge');
const base = (over: Partial<KnowledgeBaseConfig> & { id: string }): KnowledgeBaseConfig => ({
  sensitivity: 'internal',
  sources: [],
  redact_pii: false,
  tags: {},
  ...over,
});

const people: Reader = { agentId: 'hr-bot', clearance: 3, teams: ['people-ops'] };
const support: Reader = { agentId: 'support-bot', clearance: 2, teams: ['support'] };

for (const backend of databases) {
  describe(`knowledge bases on ${backend.name}`, () => {
    let db: SqlClient;
    let drop: () => Promise<void>;
    let keys: KeyHierarchy;
    let kbs: KnowledgeBases;
    let dir: string;

    beforeAll(async () => {
      ({ db, drop } = await backend.open());
      dir = mkdtempSync(path.join(tmpdir(), 'warden-kb-'));
      cpSync(FIXTURES, path.join(dir, 'docs'), { recursive: true });
      keys = new KeyHierarchy(db, await localMasterKeys(path.join(dir, 'keyring.json')));
      // A guard stand-in for redact_pii would hide the real one; this test masks e-mail addresses itself.
      const redactPii = async (text: string) => text.replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, '<EMAIL_ADDRESS>');
      kbs = new KnowledgeBases({
        store: new KnowledgeStore(db),
        keys,
        embedder: localEmbedder(),
        bases: [base({ id: 'hr', owner_team: 'people-ops' }), base({ id: 'other', tenant: 'globex' }), base({ id: 'masked', redact_pii: true })],
        defaultTenant: 'acme',
        redactPii,
      });
    });
    afterAll(async () => {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('ingests markdown, text, HTML, JSON and PDF, and reports the files it could not read', async () => {
      const progress: number[] = [];
      const report = await kbs.ingest('hr', [path.join(dir, 'docs')], (p) => progress.push(p.done));
      expect(report.documents).toBe(5);
      expect(report.chunks).toBeGreaterThanOrEqual(5);
      expect(report.failed.map((f) => path.basename(f.file))).toEqual(['broken.pdf', 'malformed.json']);
      expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('recognises a document ingested again unchanged, and replaces a changed one with a new key', async () => {
      const again = await kbs.ingest('hr', [path.join(dir, 'docs', 'onboarding.txt')]);
      expect(again).toMatchObject({ documents: 0, unchanged: 1 });
      const { rows: before } = await db.query<{ id: string }>("SELECT id FROM kb_documents WHERE source = 'onboarding.txt'");
      writeFileSync(path.join(dir, 'docs', 'onboarding.txt'), 'Day one: collect your badge from reception and meet your buddy.\n');
      expect(await kbs.ingest('hr', [path.join(dir, 'docs', 'onboarding.txt')])).toMatchObject({ documents: 1, unchanged: 0 });
      const { rows: after } = await db.query<{ id: string }>("SELECT id FROM kb_documents WHERE source = 'onboarding.txt'");
      expect(after[0]!.id).not.toBe(before[0]!.id);
      const { rows: oldKey } = await db.query('SELECT id FROM data_keys WHERE id = $1', [documentScope('acme', 'hr', before[0]!.id).id]);
      expect(oldKey).toEqual([]);
    });

    it('takes sensitivity and owner team from front matter, so RLS keeps confidential pay data from other teams', async () => {
      const forPeople = await kbs.retrieve('hr', people, 'salary bands pay review', 5);
      expect(forPeople[0]).toMatchObject({ source: 'compensation.md', sensitivity: 'confidential', ownerTeam: 'people-ops', title: 'Compensation Handbook' });
      const forSupport = await kbs.retrieve('hr', support, 'salary bands pay review', 10);
      expect(forSupport.map((c) => c.source)).not.toContain('compensation.md');
      expect(forSupport.every((c) => c.sensitivity === 'public' || c.sensitivity === 'internal')).toBe(true);
    });

    it('finds a passage by an exact rare word through the keyed full-text ranking', async () => {
      const [first] = await kbs.retrieve('hr', people, 'reception badge buddy', 3);
      expect(first!.source).toBe('onboarding.txt');
    });

    it('keeps tenants apart: another tenant’s knowledge base neither sees nor decrypts these chunks', async () => {
      await kbs.ingest('other', [path.join(dir, 'docs', 'offices.json')]);
      const globex = await kbs.retrieve('other', people, 'office', 10);
      expect(globex.length).toBeGreaterThan(0);
      expect(globex.every((c) => c.source === 'offices.json')).toBe(true);
      const { rows } = await db.query<{ id: string; document_id: string; ciphertext: Uint8Array }>("SELECT id, document_id, ciphertext FROM kb_chunks WHERE tenant = 'globex' LIMIT 1");
      const chunk = rows[0]!;
      const key = await keys.key(documentScope('globex', 'other', chunk.document_id));
      await expect(decryptWith(key.keyring(), Buffer.from(chunk.ciphertext), { tenant: 'acme', kb: 'other', document: chunk.document_id, chunk: chunk.id })).rejects.toThrow();
    });

    it('masks PII before it is embedded or stored when the knowledge base asks for it', async () => {
      writeFileSync(path.join(dir, 'contacts.md'), '# Contacts\n\nWrite to jane.doe@example.com for payroll questions.\n');
      await kbs.ingest('masked', [path.join(dir, 'contacts.md')]);
      const [hit] = await kbs.retrieve('masked', support, 'payroll questions contact', 1);
      expect(hit!.text).toContain('<EMAIL_ADDRESS>');
      expect(hit!.text).not.toContain('jane.doe');
    });

    it('shreds a tenant: its keys are gone, its rows are gone, other tenants are untouched', async () => {
      const { rows } = await db.query<{ id: string; document_id: string; ciphertext: Uint8Array }>("SELECT id, document_id, ciphertext FROM kb_chunks WHERE tenant = 'globex' LIMIT 1");
      const copy = rows[0]!;
      expect(await kbs.shredTenant('globex')).toEqual({ documents: 1 });
      expect((await db.query("SELECT id FROM data_keys WHERE id LIKE '%globex%'")).rows).toEqual([]);
      const key = await new KeyHierarchy(db, await localMasterKeys(path.join(dir, 'keyring.json'))).key(documentScope('globex', 'other', copy.document_id));
      await expect(decryptWith(key.keyring(), Buffer.from(copy.ciphertext), { tenant: 'globex', kb: 'other', document: copy.document_id, chunk: copy.id })).rejects.toThrow();
      expect((await kbs.retrieve('hr', people, 'salary bands', 3)).length).toBeGreaterThan(0);
    });

    it('refuses a front-matter sensitivity it does not know instead of guessing one', async () => {
      writeFileSync(path.join(dir, 'odd.md'), '---\nsensitivity: top-secret\n---\n# Odd\n\nText.\n');
      const report = await kbs.ingest('hr', [path.join(dir, 'odd.md')]);
      expect(report.failed[0]!.error).toMatch(/sensitivity "top-secret" is not one of public, internal, confidential, restricted/);
    });

    it('names a path that does not exist', async () => {
      await expect(kbs.ingest('hr', [path.join(dir, 'nope')])).rejects.toThrow(/No such file or directory/);
      await expect(kbs.retrieve('payroll', people, 'x', 1)).rejects.toThrow(/No knowledge base "payroll"/);
    });
  });
}
