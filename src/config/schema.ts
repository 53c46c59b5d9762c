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
});

const model = z.strictObject({
  id,
  provider: z.string(),
  region: z.string().optional(),
  tags,
});

const knowledgeBase = z.strictObject({
  id,
  description: z.string().optional(),
  sensitivity,
  owner_team: id.optional(),
  tags,
});

const eventSource = z.strictObject({
  id,
  description: z.string().optional(),
  types: z.array(z.string()).default([]),
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
  event_sources: z.array(eventSource).default([]),
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
    })
    .default({ host: '127.0.0.1', port: 8787, body_limit: 1_048_576 }),
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
