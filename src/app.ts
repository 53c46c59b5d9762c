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
import { acquireLock, dataFiles, ensureDataDir, readSeeded, writeSeeded } from './backends/data-dir.js';
import { createLogger, decisionLogger } from './observe/decision-log.js';
import { UpstreamRegistry } from './upstreams/upstream-registry.js';
import { RateAdmitter } from './admission/admitter.js';
import { RiskModel } from './flow/risk.js';
import { MemoryProvenance, RedisProvenance } from './flow/provenance.js';
import { HistoryShape, MemoryHistory, RedisHistory } from './flow/history.js';
import { Redis } from 'ioredis';
import { createContentGuard } from './guard/index.js';
import type { ContentGuard } from './guard/content-guard.js';
import { RoutingExecutor } from './core/routing-executor.js';
import { WardenError } from './core/errors.js';
import { KeyHierarchy } from './crypto/key-hierarchy.js';
import { KeyManager } from './crypto/key-manager.js';
import { sessionScope } from './crypto/scopes.js';
import { KnowledgeBases, type IngestProgress } from './knowledge/knowledge-bases.js';
import { KnowledgeStore } from './knowledge/store.js';
import { RetrieveExecutor } from './knowledge/retrieve-executor.js';
import { createEmbedder } from './knowledge/embedders.js';
import { AgentMemory } from './memory/agent-memory.js';
import { Approvals } from './approvals/approvals.js';
import { notifierFromConfig } from './approvals/webhook.js';
import { approverPolicy, GateApprovalDesk } from './approvals/gate-desk.js';
import { Delegations } from './identity/delegation.js';
import { AnomalyMonitor } from './observe/behaviour-monitor.js';
import { allOf, GatewayMetrics } from './observe/metrics.js';
import { loadOrCreateSigningKey } from './crypto/signing-key-file.js';
import { SENSITIVITY_LEVELS } from './policy/model.js';
import type { WardenConfig } from './config/schema.js';

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
  /** Ingest the configured sources of knowledge bases that are still empty (serve and the CLI do; tests choose). */
  seedKnowledge?: boolean;
  onSeedProgress?: (kb: string, progress: IngestProgress) => void;
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
  /** The master keys (and their rotation), and the data keys under them: envelope encryption. */
  keyManager: KeyManager;
  keys: KeyHierarchy;
  knowledge: KnowledgeBases;
  memory: AgentMemory;
  approvals: Approvals;
  delegations: Delegations;
  metrics: GatewayMetrics;
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

  if (loaded.config.knowledge_bases.some((k) => k.redact_pii) && !loaded.config.guard.pii.enabled) {
    throw new WardenError('config_invalid', 'a knowledge base has redact_pii but guard.pii.enabled is false');
  }
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
  let keyManager: KeyManager;
  try {
    keyManager = await KeyManager.open(loaded.config.keys, files.keyring);
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
  const keys = new KeyHierarchy(db, keyManager.masterKeys);
  const tenant = config.org.id;
  const knowledge = new KnowledgeBases({
    store: new KnowledgeStore(db),
    keys,
    embedder: createEmbedder(config.embeddings),
    bases: config.knowledge_bases,
    defaultTenant: tenant,
    redactPii: (text) => content.guard.redactPii(text),
  });
  const memory = new AgentMemory(db, keys, tenant);
  const executor = new RoutingExecutor({
    'tool.invoke': upstreams,
    'kb.retrieve': new RetrieveExecutor(knowledge, readerFor(config)),
    'memory.read': memory,
    'memory.write': memory,
  });
  const historyShape = new HistoryShape(config.tools);
  const notify = notifierFromConfig(config.approvals);
  const approvals = new Approvals(db, {
    approvers: config.approvers,
    ttlSeconds: config.approvals.ttl_seconds,
    ...(notify ? { notify } : {}),
    onNotifyError: (err, e) => logger.warn({ err, approval: e.approval.id }, `approval webhook failed for ${e.type}`),
    mayApprove: approverPolicy(policy),
  });
  // Kill switch: a suspended agent's pending (and granted, unused) approvals are cancelled.
  agents.onSuspended = (agentId) => approvals.cancelForAgent(agentId).then(() => undefined);
  const monitor = await AnomalyMonitor.open(db, logger);
  const metrics = new GatewayMetrics({
    pendingApprovals: async () => (await approvals.list({ status: 'pending' })).length,
    breakers: () => config.upstreams.map((u) => ({ upstream: u.id, state: upstreams.breakerState(u.id) ?? 'closed' })),
  });
  const delegations = new Delegations(loadOrCreateSigningKey(files.delegationKey));
  const criticalTools = new Set(config.tools.filter((t) => t.risk === 'critical').map((t) => t.id));
  const gate = new Gate({
    policy,
    agents,
    audit: ledger,
    log: allOf(decisionLogger(logger), metrics),
    env: config.env,
    admitter,
    risk: new RiskModel(config.tools, config.knowledge_bases),
    executor,
    outputs: upstreams,
    guard: content.guard,
    provenance: redis ? new RedisProvenance(redis, options.redisPrefix ?? 'warden', (await keys.key(sessionScope(tenant))).secret()) : new MemoryProvenance(),
    history: redis ? new RedisHistory(historyShape, redis, options.redisPrefix ?? 'warden') : new MemoryHistory(historyShape),
    delegations,
    monitor,
    approvals: new GateApprovalDesk(approvals, (action) => action.verb === 'tool.invoke' && criticalTools.has(action.resource)),
    trustOf: (action) => (action.verb === 'tool.invoke' ? upstreams.trustOf(action.resource) : undefined),
  });
  if (options.seedKnowledge) {
    const seeded = readSeeded(files.knowledgeSeeded);
    const reports = await knowledge.ingestConfiguredIfEmpty(loaded.dir, seeded, options.onSeedProgress);
    if (Object.keys(reports).length) writeSeeded(files.knowledgeSeeded, [...seeded, ...Object.keys(reports)]);
    for (const [kb, r] of Object.entries(reports)) {
      logger.info({ kb, ...r }, `knowledge base ${kb}: ingested ${r.documents} documents (${r.chunks} chunks) from its configured sources`);
      for (const f of r.failed) logger.error({ kb, file: f.file }, `knowledge base ${kb}: ${f.error}`);
    }
  }
  const adminToken = { ...loadOrCreateAdminToken(files.adminToken), file: files.adminToken };
  if (options.watchPolicies) policy.watch();

  let closing: Promise<void> | undefined;
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
    keyManager,
    keys,
    knowledge,
    memory,
    approvals,
    delegations,
    metrics,
    adminToken,
    // Closing twice (a test that reopens the data directory, a signal during shutdown) is harmless.
    close: () =>
      (closing ??= (async () => {
        policy.close();
        await keyManager.settle();
        await approvals.settle();
        await monitor.close();
        await metrics.close();
        await content.close();
        await upstreams.close();
        redis?.disconnect();
        await ledger.close();
        await db.close();
        release();
      })()),
  };
}

/** Who an agent is to row-level security: its clearance and its team. */
function readerFor(config: WardenConfig): (agentId: string) => { agentId: string; clearance: number; teams: string[] } {
  const agents = new Map(config.agents.map((a) => [a.id, a]));
  return (agentId) => {
    const agent = agents.get(agentId);
    return { agentId, clearance: agent ? SENSITIVITY_LEVELS[agent.clearance] : 0, teams: agent?.team ? [agent.team] : [] };
  };
}
