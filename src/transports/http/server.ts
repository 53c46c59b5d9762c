import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { toErrorBody, WardenError } from '../../core/errors.js';
import { identify, type Caller } from './auth.js';
import { registerAuthorizeRoute } from './authorize-route.js';
import { registerAdminRoutes, registerKnowledgeAdminRoutes } from './admin-routes.js';
import { openApiDocument } from './openapi.js';
import { registerDelegationRoutes, registerToolRoutes } from './tools.js';
import { registerMcpRoute } from './mcp-route.js';
import { registerKnowledgeRoutes } from './knowledge-routes.js';
import { registerApprovalRoutes } from './approval-routes.js';
import { tlsServerOptions } from '../../identity/mtls.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';

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
    callers.set(request, await identify(request, app));
  });
  const callerOf = (request: FastifyRequest): Caller => {
    const caller = callers.get(request);
    if (!caller) throw new WardenError('unauthenticated');
    return caller;
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
  // Prometheus text; the admin token, like the rest of the operator's API (a scraper sends it as a bearer).
  server.get('/v1/metrics', async (request, reply) => {
    if (callerOf(request).kind !== 'admin') throw new WardenError('forbidden', 'This needs the admin token');
    reply.hijack();
    app.metrics.serve(request.raw, reply.raw);
  });

  registerAuthorizeRoute(server, app, callerOf);
  registerAdminRoutes(server, app, callerOf);
  registerKnowledgeAdminRoutes(server, app, callerOf);
  registerToolRoutes(server, app, callerOf);
  registerDelegationRoutes(server, app, callerOf);
  registerKnowledgeRoutes(server, app, callerOf);
  registerApprovalRoutes(server, app.approvals, callerOf);
  registerMcpRoute(server, app, callerOf);
  return server;
}
