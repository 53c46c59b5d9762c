import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { Gate } from './core/gate.js';
import { loadEngine } from './policy/load.js';
import { PolicyHolder, type ReloadResult } from './policy/policy-holder.js';
import { AgentStore } from './identity/agent-store.js';
import { loadOrCreateAdminToken } from './identity/admin-token.js';
import { Ledger } from './audit/ledger.js';
import { CheckpointSigner } from './audit/signing-key.js';
import { openPglite } from './backends/sql/pglite-client.js';
import { openPostgres } from './backends/sql/postgres-client.js';
import { migrate } from './backends/sql/migrations.js';
import type { SqlClient } from './backends/sql/sql-client.js';
import { acquireLock, dataFiles, ensureDataDir } from './backends/data-dir.js';
import { createLogger, decisionLogger } from './observe/decision-log.js';
import { UpstreamRegistry } from './upstreams/upstream-registry.js';
import { RateAdmitter } from './admission/admitter.js';
import { DeclaredRiskScorer } from './flow/risk.js';
import { Redis } from 'ioredis';
import { createContentGuard } from './guard/index.js';
import type { ContentGuard } from './guard/content-guard.js';

export interface AppOptions {
  config: string | LoadedConfig;
  dataDir: string;
  /** PostgreSQL instead of PGlite (the distributed shape); defaults to WARDEN_DATABASE_URL. */
  databaseUrl?: string;
  databaseSchema?: string;
  logger?: Logger;
  /** Hot-reload policies when their files change. */
  watchPolicies?: boolean;
  /** Redis for rate limits shared by replicas; defaults to WARDEN_REDIS_URL. */
  redisUrl?: string;
  redisPrefix?: string;
}

/** Everything a running Warden is made of, wired once here. */
export interface App {
  loaded: LoadedConfig;
  logger: Logger;
  db: SqlClient;
  policy: PolicyHolder;
  agents: AgentStore;
  ledger: Ledger;
  signer: CheckpointSigner;
  gate: Gate;
  upstreams: UpstreamRegistry;
  guard: ContentGuard;
  adminToken: { token: string; created: boolean; file: string };
  close(): Promise<void>;
}

/** The composition root: configuration → backends → gate. Nothing else constructs a backend. */
export async function openApp(options: AppOptions): Promise<App> {
  const loaded = typeof options.config === 'string' ? loadConfig(options.config) : options.config;
  const logger = options.logger ?? createLogger();
  const onReload = (r: ReloadResult) =>
    r.ok ? logger.info({ policies: r.policies }, 'policies reloaded') : logger.error({ problems: r.problems }, 'policy reload refused; keeping the last good set');
  const policy = new PolicyHolder(loadEngine(loaded), loaded, onReload);

  ensureDataDir(options.dataDir);
  const files = dataFiles(options.dataDir);
  const databaseUrl = options.databaseUrl ?? process.env.WARDEN_DATABASE_URL;
  const release = databaseUrl ? () => {} : acquireLock(options.dataDir);
  let db: SqlClient;
  try {
    db = databaseUrl ? openPostgres(databaseUrl, options.databaseSchema ? { schema: options.databaseSchema } : {}) : await openPglite(files.pgdata);
    await migrate(db);
  } catch (err) {
    release();
    throw err;
  }
  let content: Awaited<ReturnType<typeof createContentGuard>>;
  try {
    content = await createContentGuard(loaded.config.guard, loaded.dir);
  } catch (err) {
    await db.close();
    release();
    throw err;
  }
  const signer = CheckpointSigner.fromFile(files.signingKey);
  const ledger = new Ledger(db, { signer, checkpointEvery: loaded.config.ledger.checkpoint_every, checkpointSeconds: loaded.config.ledger.checkpoint_seconds, soleWriter: !databaseUrl });
  const agents = new AgentStore(db, loaded.config.agents, !databaseUrl);
  const config = loaded.config;
  const upstreams = new UpstreamRegistry(config.upstreams, config.tools, loaded.dir, (e) => logger.info({ kind: 'upstream', ...e }, `${e.upstream}: ${e.event}`));
  const redisUrl = options.redisUrl ?? process.env.WARDEN_REDIS_URL;
  const redis = redisUrl ? new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 }) : undefined;
  const upstreamLimits = new Map(config.upstreams.flatMap((u) => (u.rate_limit_per_minute ? [[u.id, u.rate_limit_per_minute] as const] : [])));
  const admitter = new RateAdmitter(config.limits, upstreamLimits, redis ? { redis, prefix: options.redisPrefix ?? 'warden' } : undefined);
  const gate = new Gate({
    policy,
    agents,
    audit: ledger,
    log: decisionLogger(logger),
    env: config.env,
    admitter,
    risk: new DeclaredRiskScorer(config.tools),
    executor: upstreams,
    outputs: upstreams,
    guard: content.guard,
  });
  const adminToken = { ...loadOrCreateAdminToken(files.adminToken), file: files.adminToken };
  if (options.watchPolicies) policy.watch();

  return {
    loaded,
    logger,
    db,
    policy,
    agents,
    ledger,
    signer,
    gate,
    upstreams,
    guard: content.guard,
    adminToken,
    async close() {
      policy.close();
      await content.close();
      await upstreams.close();
      redis?.disconnect();
      await ledger.close();
      await db.close();
      release();
    },
  };
}
