/**
 * Ledger benchmark: durable appends with group commit against one commit per append (the
 * baseline), and verification against the bare cost of hashing the same chain in memory.
 * Embedded (PGlite on disk) always; PostgreSQL too when WARDEN_BENCH_DATABASE_URL (or
 * WARDEN_TEST_DATABASE_URL) is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openPglite } from '../src/backends/sql/pglite-client.js';
import { openPostgres } from '../src/backends/sql/postgres-client.js';
import { migrate } from '../src/backends/sql/migrations.js';
import type { SqlClient } from '../src/backends/sql/sql-client.js';
import { Ledger } from '../src/audit/ledger.js';
import { CheckpointSigner } from '../src/audit/signing-key.js';
import { verifyLedger } from '../src/audit/verify.js';
import { chainHash, GENESIS_HASH } from '../src/audit/chain.js';
import type { AuditRecord } from '../src/core/ports.js';
import type { BenchOptions } from './run.js';

const ENTRIES = 50_000;
const BASELINE_ENTRIES = 1_000;
/** Appends arrive in waves, as from a busy gateway; two waves are in flight at once. */
const WAVE = 1_000;

const record = (i: number): AuditRecord => ({
  requestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  agentId: i % 3 ? 'finance-bot' : 'support-bot',
  verb: 'tool.invoke',
  resource: i % 2 ? 'bank.send_money' : 'bank.get_balance',
  decision: i % 5 ? 'allow' : 'deny',
  policies: ['payments-send-money'],
  obligations: {},
  credential: { kind: 'api_key', id: 'f72e18199369f3f8' },
  contextDigest: `sha256:${randomBytes(32).toString('hex')}`,
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);

interface Figures {
  appends_per_s: number;
  appends_per_s_no_group_commit: number;
  group_commit_speedup: number;
  verify_per_s: number;
  verify_floor_per_s: number;
}

async function measure(name: string, db: SqlClient, soleWriter: boolean): Promise<Figures> {
  await migrate(db);
  const signer = CheckpointSigner.generate();

  log(`${name}: ${BASELINE_ENTRIES} appends, one commit each (baseline)…`);
  const single = new Ledger(db, { signer, checkpointEvery: 1000, checkpointSeconds: 60, maxBatch: 1, soleWriter });
  let started = performance.now();
  for (let i = 0; i < BASELINE_ENTRIES; i++) await single.append(record(i));
  const baseline = perSecond(BASELINE_ENTRIES, performance.now() - started);

  log(`${name}: ${ENTRIES} appends with group commit, in waves of ${WAVE}…`);
  const grouped = new Ledger(db, { signer, checkpointEvery: 1000, checkpointSeconds: 60, soleWriter });
  started = performance.now();
  let previous: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < ENTRIES; i += WAVE) {
    const wave = Promise.all(Array.from({ length: WAVE }, (_, j) => grouped.append(record(i + j))));
    await previous;
    previous = wave;
  }
  await previous;
  const appends = perSecond(ENTRIES, performance.now() - started);

  const total = ENTRIES + BASELINE_ENTRIES;
  log(`${name}: verifying ${total} entries…`);
  started = performance.now();
  const result = await verifyLedger(db, [signer.publicKey]);
  const verify = perSecond(total, performance.now() - started);
  if (!result.ok || result.entries !== total) throw new Error(`${name}: the ledger did not verify: ${JSON.stringify(result)}`);

  // The floor: hashing the same bodies in memory, no database at all.
  const { rows } = await db.query<{ body: string }>('SELECT body FROM audit_ledger ORDER BY seq');
  started = performance.now();
  let prev = GENESIS_HASH;
  for (const r of rows) prev = chainHash(prev, r.body);
  const floor = perSecond(rows.length, performance.now() - started);

  return {
    appends_per_s: appends,
    appends_per_s_no_group_commit: baseline,
    group_commit_speedup: Math.round((appends / baseline) * 10) / 10,
    verify_per_s: verify,
    verify_floor_per_s: floor,
  };
}

export async function run(opts: BenchOptions): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-bench-ledger-'));
  const results: Record<string, Figures> = {};
  try {
    const embedded = await openPglite(path.join(dir, 'pgdata'));
    // Embedded, Warden is the data directory's sole writer (it holds the lock), as in `openApp`.
    results.embedded = await measure('embedded (PGlite on disk)', embedded, true);
    await embedded.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const url = process.env.WARDEN_BENCH_DATABASE_URL ?? process.env.WARDEN_TEST_DATABASE_URL;
  if (url) {
    const schema = `warden_bench_${randomBytes(4).toString('hex')}`;
    const admin = openPostgres(url, { max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const db = openPostgres(url, { schema });
    try {
      results.postgres = await measure('PostgreSQL', db, false);
    } finally {
      await db.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    }
  } else {
    log('PostgreSQL skipped: set WARDEN_BENCH_DATABASE_URL to measure it too');
  }

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('');
  out('| shape | appends/s (group commit) | appends/s (one commit each) | speedup | verify entries/s | hashing floor entries/s |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const [shape, f] of Object.entries(results)) {
    out(`| ${shape} | ${f.appends_per_s} | ${f.appends_per_s_no_group_commit} | ${f.group_commit_speedup}× | ${f.verify_per_s} | ${f.verify_floor_per_s} |`);
  }
  out('Targets: 20,000 appends/s embedded with group commit; 200,000 entries/s verified.');
  if (opts.json) {
    const e = results.embedded!;
    out(JSON.stringify({ ...e, ...(results.postgres ? { postgres: results.postgres } : {}) }));
  }
}
