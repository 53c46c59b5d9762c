import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { WardenError } from '../../core/errors.js';
import { verifyLedger } from '../../audit/verify.js';
import { readLedger } from '../../audit/read.js';
import type { Caller } from './auth.js';

/** The admin API: the ledger and agent state (admin token only). */
export function registerAdminRoutes(server: FastifyInstance, app: App, callerOf: (r: FastifyRequest) => Caller): void {
  const admin = (request: FastifyRequest) => {
    if (callerOf(request).kind !== 'admin') throw new WardenError('forbidden', 'This needs the admin token');
  };

  server.get<{ Querystring: { after?: string; limit?: string; tail?: string } }>(
    '/v1/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { after: { type: 'string', pattern: '^[0-9]{1,15}$' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' }, tail: { enum: ['true', 'false'] } },
        },
      },
    },
    async (request) => {
      admin(request);
      const limit = Math.min(Math.max(Number(request.query.limit ?? 100), 1), 1000);
      const entries = await readLedger(app.db, { after: Number(request.query.after ?? 0), limit, tail: request.query.tail === 'true' });
      const last = entries.at(-1);
      return { entries, next: entries.length === limit && last ? last.seq : null };
    },
  );
  server.get('/v1/audit/verify', async (request) => {
    admin(request);
    await app.ledger.flush();
    return verifyLedger(app.db, [app.signer.publicKey]);
  });

  server.get('/v1/agents', async (request) => {
    admin(request);
    return { agents: await app.agents.list() };
  });
  server.post<{ Params: { agent: string } }>('/v1/agents/:agent/suspend', async (request) => {
    admin(request);
    await app.agents.setSuspended(request.params.agent, true);
    return { agent: request.params.agent, suspended: true };
  });
  server.post<{ Params: { agent: string } }>('/v1/agents/:agent/resume', async (request) => {
    admin(request);
    await app.agents.setSuspended(request.params.agent, false);
    return { agent: request.params.agent, suspended: false };
  });
  server.post<{ Params: { agent: string } }>('/v1/agents/:agent/keys', async (request, reply) => {
    admin(request);
    const created = await app.agents.createKey(request.params.agent);
    return reply.status(201).send({ agent: request.params.agent, ...created });
  });
}

const ingestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['paths'],
  properties: { paths: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 4096 } } },
} as const;

/** The admin API for knowledge bases and keys: ingest files the server can read, delete (and shred) a document, rotate keys, shred a tenant. */
export function registerKnowledgeAdminRoutes(server: FastifyInstance, app: App, callerOf: (r: FastifyRequest) => Caller): void {
  const admin = (request: FastifyRequest) => {
    if (callerOf(request).kind !== 'admin') throw new WardenError('forbidden', 'This needs the admin token');
  };
  server.post<{ Params: { kb: string }; Body: { paths: string[] } }>('/v1/admin/kb/:kb/ingest', { schema: { body: ingestSchema } }, async (request) => {
    admin(request);
    return app.knowledge.ingest(request.params.kb, request.body.paths);
  });
  server.delete<{ Params: { kb: string }; Querystring: { source: string } }>(
    '/v1/admin/kb/:kb/documents',
    { schema: { querystring: { type: 'object', required: ['source'], properties: { source: { type: 'string', minLength: 1, maxLength: 4096 } } } } },
    async (request) => {
      admin(request);
      return { deleted: await app.knowledge.deleteDocument(request.params.kb, request.query.source) };
    },
  );
  server.get('/v1/admin/keys', async (request) => {
    admin(request);
    return app.keyManager.status(app.keys);
  });
  server.post('/v1/admin/keys/rotate', async (request, reply) => {
    admin(request);
    const { activeVersion, finished } = await app.keyManager.rotate(app.keys);
    finished.catch((err: unknown) => app.logger.error({ err }, 'key rotation failed; the old versions still decrypt everything'));
    return reply.status(202).send({ activeVersion, message: 'New data uses the new version; existing keys are being re-wrapped (GET /v1/admin/keys shows progress)' });
  });
  server.post<{ Params: { tenant: string } }>('/v1/admin/tenants/:tenant/shred', async (request) => {
    admin(request);
    const { documents } = await app.knowledge.shredTenant(request.params.tenant);
    return { tenant: request.params.tenant, documents, memories: await app.memory.forgetTenant(request.params.tenant) };
  });
}
