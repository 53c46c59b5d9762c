import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'an id of letters, digits, ".", "_", ":" or "-"');
const tags = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a tag name (letters, digits, _)'), z.string()).default({});
const sensitivity = z.enum(['public', 'internal', 'confidential', 'restricted']);

/** Argument types a tool declares, so policies over `context.args` validate against the schema. */
export const ARG_TYPES = ['string', 'long', 'boolean', 'strings'] as const;

const agent = z.strictObject({
  id,
  description: z.string().optional(),
  roles: z.array(id).default([]),
  team: id.optional(),
  org_unit: id.optional(),
  /** The most sensitive knowledge this agent may read (row-level security; confidential and up also need its team). */
  clearance: sensitivity.default('internal'),
  tags,
});

const tool = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/, 'a tool id "<server>.<tool>"'),
  description: z.string().optional(),
  risk: z.enum(['low', 'medium', 'high', 'critical']),
  side_effects: z.boolean().default(false),
  egress: z.boolean().default(false),
  tags,
  args: z.record(z.string(), z.enum(ARG_TYPES)).default({}),
  /** JSON Schema the tool's structured result must match; overrides the MCP server's `outputSchema`. */
  output_schema: z.record(z.string(), z.unknown()).optional(),
});

const tlsFiles = z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional(), servername: z.string().optional() });

const upstream = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'an upstream id of letters, digits, "_" or "-" (the <server> of its tool ids)'),
    /** `stdio`: an MCP server Warden spawns and supervises; `streamable-http`: a remote MCP server; `http`: JSON tools at `<url>/<tool>`. */
    transport: z.enum(['stdio', 'streamable-http', 'http']),
    command: z.string().optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).optional(),
    url: z.string().url().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Whether what this upstream returns may be trusted as instructions (emails and web pages may not). */
    trust: z.enum(['trusted', 'untrusted']).default('trusted'),
    timeout_ms: z.number().int().positive().default(10_000),
    retry: z
      .strictObject({
        max_attempts: z.number().int().min(1).max(10).default(3),
        base_delay_ms: z.number().int().min(0).default(100),
        max_delay_ms: z.number().int().min(0).default(2_000),
      })
      .default({ max_attempts: 3, base_delay_ms: 100, max_delay_ms: 2_000 }),
    breaker: z
      .strictObject({ consecutive_failures: z.number().int().min(1).default(5), half_open_after_ms: z.number().int().positive().default(10_000) })
      .default({ consecutive_failures: 5, half_open_after_ms: 10_000 }),
    max_concurrency: z.number().int().positive().default(32),
    /** Calls per minute to this upstream, across agents (and across replicas with Redis). */
    rate_limit_per_minute: z.number().int().positive().optional(),
    tls: tlsFiles.optional(),
  })
  .superRefine((u, ctx) => {
    if (u.transport === 'stdio' && !u.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'a stdio upstream needs a command' });
    if (u.transport !== 'stdio' && !u.url) ctx.addIssue({ code: 'custom', path: ['url'], message: `a ${u.transport} upstream needs a url` });
  });

const window = (points: number, seconds: number) =>
  z.strictObject({ points: z.number().int().positive().default(points), per_seconds: z.number().int().positive().default(seconds) }).default({ points, per_seconds: seconds });

const model = z.strictObject({
  id,
  provider: z.string(),
  region: z.string().optional(),
  tags,
});

const knowledgeBase = z.strictObject({
  id,
  description: z.string().optional(),
  /** The default sensitivity of its documents (front matter may set another per document). */
  sensitivity,
  owner_team: id.optional(),
  /** Whose data this is: bound into every ciphertext's encryption context; shredding a tenant destroys its keys. Default: the org id. */
  tenant: id.optional(),
  /** Files or directories (relative to the configuration) ingested when the knowledge base is empty. */
  sources: z.array(z.string()).default([]),
  /** Mask identifying PII in chunks before they are embedded and stored. */
  redact_pii: z.boolean().default(false),
  tags,
});

/** How chunks become vectors: a local hashing embedder (no download), Amazon Titan through Bedrock, or any OpenAI-compatible endpoint. */
const embedder = z
  .discriminatedUnion('provider', [
    z.strictObject({ provider: z.literal('local') }),
    z.strictObject({
      provider: z.literal('titan'),
      model: z.string().default('amazon.titan-embed-text-v2:0'),
      region: z.string().optional(),
      endpoint: z.string().url().optional(),
    }),
    z.strictObject({
      provider: z.literal('openai-compatible'),
      base_url: z.string().url(),
      model: z.string(),
      /** The environment variable that holds the API key (never the key itself). */
      api_key_env: z.string().optional(),
    }),
  ])
  .default({ provider: 'local' });

/** The master key: a local key file in the data directory (embedded) or an AWS KMS customer-managed key. */
const keys = z
  .strictObject({
    provider: z.enum(['local', 'kms']).default('local'),
    /** The KMS key ARN; WARDEN_KMS_KEY_ID when unset. KMS rotates its key material itself. */
    kms_key_id: z.string().optional(),
    /** Earlier KMS keys, kept for decrypting only: moving to a new key is `kms_key_id: <new>`, the old one here, then `warden keys rotate`. */
    previous_kms_key_ids: z.array(z.string()).default([]),
    region: z.string().optional(),
    endpoint: z.string().url().optional(),
  })
  .default({ provider: 'local', previous_kms_key_ids: [] });

const eventSource = z.strictObject({
  id,
  description: z.string().optional(),
  types: z.array(z.string()).default([]),
});

/**
 * A human who may approve parked actions, authenticated by an approver key (`warden approvers key
 * create <id>`). Policies may narrow who decides what; `teams` is there for them to match on.
 */
const approver = z.strictObject({
  id,
  name: z.string().optional(),
  teams: z.array(id).default([]),
});

/** How long a parked action waits for its approvers, and where new requests are announced. */
const approvals = z.strictObject({
  ttl_seconds: z.number().int().min(1).max(30 * 86_400).default(3600),
  /** POSTed `{type, approval}` with `x-warden-signature: sha256=<HMAC-SHA256 of the body>`. */
  webhook: z
    .strictObject({
      url: z.string().url(),
      /** The environment variable that holds the HMAC secret (never the secret itself). */
      secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
    })
    .optional(),
});

const probability = z.number().min(0).max(1);
const onInjection = z.enum(['withhold', 'neutralise', 'flag']);

/** The content guard: prompt-injection and PII scanners in the Gate's input and output stages. */
const guard = z.strictObject({
  injection: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Scores at or above these flag a text; unset keeps the trained defaults. */
      thresholds: z.strictObject({ direct: probability.optional(), indirect: probability.optional() }).default({}),
      /** An ONNX classifier (e.g. a Prompt Guard or DeBERTa export) whose score is combined with the local one by taking the higher. */
      onnx: z
        .strictObject({
          model: z.string(),
          tokenizer: z.string(),
          /** Which logit is 'injection': an index, several to add up (Prompt Guard 1: [1, 2]), or the last. */
          positive_label: z.union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1), z.literal('last')]).default('last'),
          max_length: z.number().int().positive().default(512),
        })
        .optional(),
    })
    .default({ enabled: true, thresholds: {} }),
  pii: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** `local`: Warden's own recognizers and tagger; `comprehend`: AWS Comprehend DetectPiiEntities (credentials from the AWS default chain). */
      provider: z.enum(['local', 'comprehend']).default('local'),
      comprehend: z
        .strictObject({ region: z.string().optional(), endpoint: z.string().url().optional(), language_code: z.string().default('en') })
        .default({ language_code: 'en' }),
      /** Entity types to report (Presidio names); all when unset. */
      entities: z.array(z.string()).optional(),
      min_score: probability.default(0.5),
    })
    .default({ enabled: true, provider: 'local', comprehend: { language_code: 'en' }, min_score: 0.5 }),
  /** What happens to a tool result that carries an injection, unless a policy's `@on_injection` says otherwise. */
  on_injection: onInjection.default('neutralise'),
  /** Bounds on what one result's scan may walk: nesting depth and total characters scanned. */
  max_depth: z.number().int().positive().default(32),
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  org: z.strictObject({ id, name: z.string().optional() }),
  env: z.string().default('dev'),
  org_units: z.array(z.strictObject({ id, parent: id.optional() })).default([]),
  teams: z.array(z.strictObject({ id, org_unit: id.optional() })).default([]),
  roles: z.array(z.strictObject({ id, description: z.string().optional() })).default([]),
  agents: z.array(agent).min(1),
  tools: z.array(tool).default([]),
  models: z.array(model).default([]),
  knowledge_bases: z.array(knowledgeBase).default([]),
  embeddings: embedder,
  keys,
  event_sources: z.array(eventSource).default([]),
  upstreams: z.array(upstream).default([]),
  approvers: z
    .array(approver)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [i, a] of list.entries()) {
        if (seen.has(a.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `approver "${a.id}" is listed twice` });
        seen.add(a.id);
      }
    }),
  approvals: approvals.default({ ttl_seconds: 3600 }),
  limits: z
    .strictObject({
      per_agent: window(600, 60),
      per_tool: window(600, 60),
      per_session: window(120, 60),
      /** The same call with the same arguments more than this many times in the window is a loop. */
      loop: z
        .strictObject({ max_repeats: z.number().int().positive().default(5), window_seconds: z.number().int().positive().default(60) })
        .default({ max_repeats: 5, window_seconds: 60 }),
      session_step_budget: z.number().int().positive().default(500),
    })
    .default({
      per_agent: { points: 600, per_seconds: 60 },
      per_tool: { points: 600, per_seconds: 60 },
      per_session: { points: 120, per_seconds: 60 },
      loop: { max_repeats: 5, window_seconds: 60 },
      session_step_budget: 500,
    }),
  policies: z
    .strictObject({
      dirs: z.array(z.string()).default(['policies']),
      boundaries: z.array(z.string()).default(['boundaries']),
      tests: z.array(z.string()).default(['tests']),
    })
    .default({ dirs: ['policies'], boundaries: ['boundaries'], tests: ['tests'] }),
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8787),
      body_limit: z.number().int().positive().default(1_048_576),
      /** TLS for the gateway; with `require_client_cert`, agents authenticate by SPIFFE certificate. */
      tls: z
        .strictObject({ cert: z.string(), key: z.string(), ca: z.string().optional(), require_client_cert: z.boolean().default(false) })
        .optional(),
    })
    .default({ host: '127.0.0.1', port: 8787, body_limit: 1_048_576 }),
  guard: guard.default({
    injection: { enabled: true, thresholds: {} },
    pii: { enabled: true, provider: 'local', comprehend: { language_code: 'en' }, min_score: 0.5 },
    on_injection: 'neutralise',
    max_depth: 32,
  }),
  ledger: z
    .strictObject({
      checkpoint_every: z.number().int().positive().default(1000),
      checkpoint_seconds: z.number().positive().default(60),
    })
    .default({ checkpoint_every: 1000, checkpoint_seconds: 60 }),
});

export type WardenConfig = z.infer<typeof configSchema>;
export type AgentConfig = WardenConfig['agents'][number];
export type ToolConfig = WardenConfig['tools'][number];
export type UpstreamConfig = WardenConfig['upstreams'][number];
export type GuardConfig = WardenConfig['guard'];
export type KnowledgeBaseConfig = WardenConfig['knowledge_bases'][number];
export type EmbedderConfig = WardenConfig['embeddings'];
export type KeysConfig = WardenConfig['keys'];
export type ApproverConfig = WardenConfig['approvers'][number];
export type ApprovalsConfig = WardenConfig['approvals'];
