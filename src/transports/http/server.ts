import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { toErrorBody, WardenError } from '../../core/errors.js';
import { verifyLedger } from '../../audit/verify.js';
import { readLedger } from '../../audit/read.js';
import { agentFor, authenticate, type Caller } from './auth.js';
import { openApiDocument } from './openapi.js';
import { registerToolRoutes } from './tools.js';
import { registerMcpRoute } from './mcp-route.js';
import { mtlsAgent, tlsServerOptions } from '../../identity/mtls.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

interface AuthorizeBody {
  action: string;
  resource: string;
  context?: Record<string, unknown>;
  agent?: string;
  sessionId?: string;
}

const authorizeSchema = {
  type: 'object',
  required: ['action', 'resource'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', minLength: 1, maxLength: 200 },
    resource: { type: 'string', minLength: 1, maxLength: 500 },
    context: { type: 'object' },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
    sessionId: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** Maps Fastify's own errors (body parsing, validation) onto Warden's stable codes. */
function asWardenError(err: FastifyError): WardenError | undefined {
  if (err instanceof WardenError) return err;
  if (err.validation) return new WardenError('invalid_request', `The request does not match the expected shape: ${err.message}`);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return new WardenError('body_too_large');
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) return new WardenError('unsupported_media_type');
  if (err.statusCode === 400) return new WardenError('invalid_json', 'The body is not valid JSON');
  return undefined;
}

/** Builds the HTTP app without listening: tests call it with `inject()`, only `serve` opens a socket. */
export function buildServer(app: App): FastifyInstance {
  const tls = app.loaded.config.server.tls;
  const read = (file: string) => readFileSync(path.resolve(app.loaded.dir, file), 'utf8');
  const server = Fastify({
    ...(tls
      ? { https: tlsServerOptions({ cert: read(tls.cert), key: read(tls.key), ca: tls.ca ? read(tls.ca) : '', requireClientCert: tls.require_client_cert }) }
      : {}),
    loggerInstance: app.logger.child({ kind: 'http' }) as FastifyBaseLogger,
    bodyLimit: app.loaded.config.server.body_limit,
    genReqId: () => randomUUID(),
    // One decision line per action comes from the Gate; per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    // A wrong type or an unknown field is the client's error to hear about, not a value to coerce or drop.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  // JSON only: a text body is refused with 415 instead of failing validation as a string.
  server.removeContentTypeParser('text/plain');
  // Credentials are checked before the body is parsed: an anonymous caller learns nothing else.
  const callers = new WeakMap<FastifyRequest, Caller>();
  server.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/') && !request.url.startsWith('/mcp')) return;
    callers.set(request, await identify(request));
  });
  // A verified client certificate names the agent; without one, a bearer credential must.
  const identify = async (request: FastifyRequest): Promise<Caller> => {
    if (tls && (request.raw.socket as TLSSocket).encrypted) {
      const found = mtlsAgent(request, app.loaded.config.org.id);
      if ('agentId' in found) return { kind: 'agent', agentId: found.agentId, credential: { kind: 'mtls', id: found.fingerprint } };
      if (found.error !== 'no_certificate') {
        throw new WardenError('unauthenticated', `The client certificate is not accepted (${'reason' in found ? found.reason : found.error})`);
      }
      if (tls.require_client_cert) throw new WardenError('unauthenticated', 'A client certificate is required');
    }
    return authenticate(request, app.adminToken.token, app.agents);
  };
  const callerOf = (request: FastifyRequest): Caller => {
    const caller = callers.get(request);
    if (!caller) throw new WardenError('unauthenticated');
    return caller;
  };
  const admin = (request: FastifyRequest) => {
    if (callerOf(request).kind !== 'admin') throw new WardenError('forbidden', 'This needs the admin token');
  };

  server.setErrorHandler((err: FastifyError, request, reply) => {
    const known = asWardenError(err);
    if (!known) request.log.error({ err }, 'unhandled error');
    else request.log.warn({ code: known.code, url: request.url, method: request.method }, known.message);
    const { status, body } = toErrorBody(known ?? err);
    void reply.status(status).send(body);
  });
  server.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'not_found', message: `No route ${request.method} ${request.url}` });
  });

  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_request, reply) => {
    try {
      await app.db.query('SELECT 1');
      return { status: 'ready', policies: app.policy.current.policies.length };
    } catch {
      return reply.status(503).send({ code: 'unavailable', message: 'The database is not reachable' });
    }
  });
  server.get('/openapi.json', async () => openApiDocument);

  server.post<{ Body: AuthorizeBody }>('/v1/authorize', { schema: { body: authorizeSchema } }, async (request, reply) => {
    const body = request.body;
    const { agentId, credential } = agentFor(callerOf(request), body.agent);
    const result = await app.gate.authorize({
      requestId: request.id,
      agentId,
      verb: body.action,
      resource: body.resource,
      context: body.context ?? {},
      credential,
      ...(body.sessionId ? { sessionId: body.sessionId } : {}),
    });
    if (result.code) {
      // Recorded like any decision, answered as the error it is (unknown agent 404, suspended 403…).
      const message = result.code === 'unknown_resource' ? `No ${body.action} resource "${body.resource}" is configured` : result.errors[0];
      throw new WardenError(result.code, message, { requestId: result.requestId, seq: result.seq });
    }
    const { decision, policies, obligations, requestId, seq, reason, errors } = result;
    return reply.send({ decision, policies, obligations, requestId, seq, ...(reason ? { reason } : {}), ...(errors.length ? { errors } : {}) });
  });

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
  registerToolRoutes(server, app, callerOf);
  registerMcpRoute(server, app, callerOf);
  return server;
}
