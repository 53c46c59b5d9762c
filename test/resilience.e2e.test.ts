/**
 * Resilience end to end: the gateway in front of a misbehaving MCP server (test/fixtures/chaos-server.ts,
 * spawned over stdio) and of plain HTTP(S) JSON upstreams served here, through
 * `POST /v1/tools/{tool}/invoke`, with the ledger read back for attempts and outcomes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../src/transports/http/server.js';
import type { App } from '../src/app.js';
import { createTestPki } from './support/pki.js';
import { executionRecord, openTempApp, sleep, type TempApp } from './support/temp-app.js';

const CHAOS_SERVER = path.resolve('test/fixtures/chaos-server.ts');
const SHAKY_SERVER = path.resolve('test/support/listing-fails-once-server.ts');
const TIMEOUT_MS = 300;
const MAX_ATTEMPTS = 3;
const HALF_OPEN_MS = 300;

const CHAOS_TOOLS = [
  { id: 'chaos.echo', risk: 'low', args: { text: 'string' } },
  { id: 'chaos.hang', risk: 'low', args: { ms: 'long' } },
  { id: 'chaos.fail_times', risk: 'low', args: { key: 'string', times: 'long' } },
  { id: 'chaos.throttle_times', risk: 'low', args: { key: 'string', times: 'long' } },
  { id: 'chaos.bad_output', risk: 'low', args: {} },
  { id: 'chaos.crash', risk: 'low', args: {} },
];

const policyFor = (servers: string[]) =>
  servers
    .map(
      (s) => `@id("tester-uses-${s}")
permit (principal == Agent::"tester", action == Action::"tool.invoke", resource in Server::"${s}");
`,
    )
    .join('\n');

function chaosUpstream(callLog: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'chaos',
    transport: 'stdio',
    command: 'node',
    args: [CHAOS_SERVER],
    env: { WARDEN_UPSTREAM_CALL_LOG: callLog },
    timeout_ms: TIMEOUT_MS,
    retry: { max_attempts: MAX_ATTEMPTS, base_delay_ms: 10, max_delay_ms: 50 },
    breaker: { consecutive_failures: 3, half_open_after_ms: HALF_OPEN_MS },
    ...overrides,
  };
}

function wardenConfig(parts: { upstreams: Record<string, unknown>[]; tools: Record<string, unknown>[]; limits?: Record<string, unknown> }): Record<string, unknown> {
  return {
    version: 1,
    org: { id: 'acme' },
    env: 'test',
    agents: [{ id: 'tester' }],
    upstreams: parts.upstreams,
    tools: parts.tools,
    ...(parts.limits ? { limits: parts.limits } : {}),
  };
}

interface UpstreamCall {
  tool: string;
  arguments: Record<string, unknown>;
}

const readCalls = (file: string): UpstreamCall[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as UpstreamCall)
    : [];

function invoker(server: FastifyInstance, key: string) {
  return (tool: string, args: Record<string, unknown>) =>
    server.inject({
      method: 'POST',
      url: `/v1/tools/${tool}/invoke`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ arguments: args }),
    });
}

async function listen(server: HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('resilience: a chaos MCP upstream and HTTP(S) JSON upstreams behind the gateway', () => {
  let t: TempApp;
  let app: App;
  let server: FastifyInstance;
  let invoke: ReturnType<typeof invoker>;
  const callLog = path.join(tmpdir(), `warden-chaos-calls-${process.pid}-${randomUUID()}.jsonl`);
  const calls = (tool?: string) => readCalls(callLog).filter((c) => tool === undefined || c.tool === tool);
  /** Requests the plain HTTP and the HTTPS upstream received, by tool path. */
  const httpHits: string[] = [];
  const httpsHits: { tool: string; clientCn: string }[] = [];
  const flaky = new Map<string, number>();
  let http: HttpServer;
  let https: HttpServer;
  let coldStartTries = 0;

  /** Waits out an open breaker: after half_open_after_ms, a successful echo is the probe that closes it. */
  async function closeBreaker(): Promise<void> {
    for (let i = 0; i < 20 && app.upstreams.breakerState('chaos') !== 'closed'; i++) {
      await sleep(HALF_OPEN_MS + 30);
      await invoke('chaos.echo', { text: `probe-${randomUUID()}` });
    }
    expect(app.upstreams.breakerState('chaos')).toBe('closed');
  }

  beforeAll(async () => {
    const pki = await createTestPki();
    http = createHttpServer((req, res) => {
      void (async () => {
        const tool = (req.url ?? '').slice(1);
        const body = await readJson(req);
        httpHits.push(tool);
        if (tool === 'lookup') return json(res, 200, { q: body.q, found: true });
        if (tool === 'flaky') {
          const n = (flaky.get(String(body.key)) ?? 0) + 1;
          flaky.set(String(body.key), n);
          return n <= 2 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true, attempts: n });
        }
        if (tool === 'reject') return json(res, 400, { error: 'bad request' });
        return json(res, 404, { error: 'no such tool' });
      })();
    });
    https = createHttpsServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      void (async () => {
        await readJson(req);
        const clientCn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
        httpsHits.push({ tool: (req.url ?? '').slice(1), clientCn: String(clientCn) });
        json(res, 200, { hello: clientCn });
      })();
    });
    const [httpPort, httpsPort] = await Promise.all([listen(http), listen(https)]);
    const client = await pki.authority.issue({ cn: 'warden-gateway', usage: 'client' });
    const httpsUrl = `https://127.0.0.1:${httpsPort}`;
    const fast = { timeout_ms: 2000, retry: { max_attempts: MAX_ATTEMPTS, base_delay_ms: 10, max_delay_ms: 50 }, breaker: { consecutive_failures: 10, half_open_after_ms: HALF_OPEN_MS } };
    t = await openTempApp({
      config: wardenConfig({
        upstreams: [
          chaosUpstream(callLog),
          { id: 'web', transport: 'http', url: `http://127.0.0.1:${httpPort}`, ...fast },
          { id: 'secure', transport: 'http', url: httpsUrl, tls: { ca: 'tls/ca.pem', cert: 'tls/client.pem', key: 'tls/client-key.pem' }, ...fast },
          { id: 'wrongca', transport: 'http', url: httpsUrl, tls: { ca: 'tls/foreign-ca.pem', cert: 'tls/client.pem', key: 'tls/client-key.pem' }, ...fast },
          { id: 'nocert', transport: 'http', url: httpsUrl, tls: { ca: 'tls/ca.pem' }, ...fast },
          { id: 'shaky', transport: 'stdio', command: 'node', args: [SHAKY_SERVER], ...fast, timeout_ms: 10_000 },
        ],
        tools: [
          ...CHAOS_TOOLS,
          { id: 'web.lookup', risk: 'low', args: { q: 'string' } },
          { id: 'web.flaky', risk: 'low', args: { key: 'string' } },
          { id: 'web.reject', risk: 'low', args: { q: 'string' } },
          { id: 'secure.whoami', risk: 'low', args: {} },
          { id: 'wrongca.whoami', risk: 'low', args: {} },
          { id: 'nocert.whoami', risk: 'low', args: {} },
          { id: 'shaky.bad_output', risk: 'low', args: {} },
        ],
      }),
      files: {
        'policies/tester.cedar': policyFor(['chaos', 'web', 'secure', 'wrongca', 'nocert', 'shaky']),
        'tls/ca.pem': pki.ca,
        'tls/foreign-ca.pem': pki.foreign.ca,
        'tls/client.pem': client.cert,
        'tls/client-key.pem': client.key,
      },
    });
    app = t.app;
    server = buildServer(app);
    invoke = invoker(server, (await app.agents.createKey('tester')).key);
    // Cold start: spawning the chaos server (Node + the MCP SDK) can take longer than timeout_ms.
    for (coldStartTries = 1; coldStartTries <= 15; coldStartTries++) {
      if ((await invoke('chaos.echo', { text: `warm-up-${coldStartTries}` })).statusCode === 200) break;
      await sleep(HALF_OPEN_MS + 30);
    }
    if (coldStartTries > 1) console.info(`chaos upstream: the first call succeeded on try ${coldStartTries} (cold start longer than timeout_ms ${TIMEOUT_MS})`);
  });
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
    await Promise.all([new Promise((r) => http?.close(r)), new Promise((r) => https?.close(r))]);
    rmSync(callLog, { force: true });
  });

  describe('MCP over stdio', () => {
    beforeEach(closeBreaker);

    it('answers 504 upstream_timeout when the upstream hangs, after max_attempts attempts, and records outcome timeout', async () => {
      const before = calls('hang').length;
      const res = await invoke('chaos.hang', { ms: 5000 });
      expect(res.statusCode).toBe(504);
      const body = res.json();
      expect(body).toMatchObject({ code: 'upstream_timeout', decision: 'allow' });
      expect(body).not.toHaveProperty('result');
      const record = await executionRecord(app, body.seq);
      expect(record.execution).toMatchObject({ decisionSeq: body.seq, outcome: 'timeout', attempts: MAX_ATTEMPTS });
      expect(calls('hang').length - before).toBe(MAX_ATTEMPTS);
    });

    it('retries transient tool errors and returns the result of the attempt that succeeded (attempts 3 in the ledger)', async () => {
      const key = `transient-${randomUUID()}`;
      const res = await invoke('chaos.fail_times', { key, times: 2 });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.result).toMatchObject({ structuredContent: { ok: true, attempts: 3 } });
      expect(body.result.isError).toBeUndefined();
      expect((await executionRecord(app, body.seq)).execution).toMatchObject({ outcome: 'success', attempts: 3 });
      expect(calls('fail_times').filter((c) => c.arguments.key === key)).toHaveLength(3);
    });

    it('retries throttled tool errors and then returns the result', async () => {
      const key = `throttled-${randomUUID()}`;
      const res = await invoke('chaos.throttle_times', { key, times: 2 });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.result).toMatchObject({ structuredContent: { ok: true, attempts: 3 } });
      expect((await executionRecord(app, body.seq)).execution).toMatchObject({ outcome: 'success', attempts: 3 });
      expect(calls('throttle_times').filter((c) => c.arguments.key === key)).toHaveLength(3);
    });

    it('returns a permanent tool error as a 200 result with isError, without retrying it', async () => {
      const before = calls('echo').filter((c) => Object.keys(c.arguments).length === 0).length;
      const res = await invoke('chaos.echo', {}); // no `text`: the server answers an isError "Invalid arguments"
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.result.isError).toBe(true);
      expect(JSON.stringify(body.result.content)).toMatch(/Invalid arguments for tool echo/);
      expect((await executionRecord(app, body.seq)).execution).toMatchObject({ outcome: 'tool_error', attempts: 1 });
      expect(calls('echo').filter((c) => Object.keys(c.arguments).length === 0).length - before).toBe(1);
    });

    it('opens the breaker after consecutive failures: the next call is 503 without reaching the upstream; a successful probe after half_open_after_ms closes it', async () => {
      const failing = await invoke('chaos.fail_times', { key: `breaker-${randomUUID()}`, times: 100 });
      expect(failing.statusCode).toBe(502);
      expect(failing.json()).toMatchObject({ code: 'upstream_error' });
      expect((await executionRecord(app, failing.json().seq)).execution).toMatchObject({ outcome: 'upstream_error', attempts: MAX_ATTEMPTS });
      expect(app.upstreams.breakerState('chaos')).toBe('open');

      const before = calls().length;
      const started = performance.now();
      const refused = await invoke('chaos.echo', { text: 'while-open' });
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ code: 'upstream_unavailable' });
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
      expect((await executionRecord(app, refused.json().seq)).execution).toMatchObject({ outcome: 'breaker_open' });
      expect(calls().length).toBe(before);

      await sleep(HALF_OPEN_MS + 50);
      const probe = await invoke('chaos.echo', { text: 'probe' });
      expect(probe.statusCode).toBe(200);
      expect(app.upstreams.breakerState('chaos')).toBe('closed');
      const after = await invoke('chaos.echo', { text: 'after' });
      expect(after.statusCode).toBe(200);
      expect(after.json().result.structuredContent).toEqual({ text: 'after' });
      const events = t.lines.map((l) => JSON.parse(l) as { kind?: string; upstream?: string; event?: string }).filter((l) => l.kind === 'upstream' && l.upstream === 'chaos');
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['breaker_open', 'breaker_half_open', 'breaker_closed']));
    });

    it("withholds a result that does not match the tool's MCP outputSchema: 502 invalid_upstream_response, ledger outcome invalid_output", async () => {
      const res = await invoke('chaos.bad_output', {});
      expect(res.statusCode).toBe(502);
      const body = res.json();
      expect(body.code).toBe('invalid_upstream_response');
      expect(body).not.toHaveProperty('result');
      expect(JSON.stringify(body)).not.toContain('not a number');
      const execution = (await executionRecord(app, body.seq)).execution;
      expect(execution).toMatchObject({ outcome: 'invalid_output', attempts: 1 });
      expect(String(execution?.error)).toMatch(/value must be number/);
    });

    // BUG (src/upstreams/upstream-registry.ts, execute → toolsOf): when the upstream's tools/list fails,
    // toolsOf resolves to an empty map and the call goes ahead with no validator compiled, so
    // inspect() passes an output that violates the MCP outputSchema (fail open). The next call, after
    // a successful listing, is refused as it should be.
    it("never returns an output that violates the tool's MCP outputSchema, even when the first tool listing failed", async () => {
      const first = await invoke('shaky.bad_output', {});
      expect.soft(first.json(), 'the first call, made after the failed listing').not.toHaveProperty('result');
      expect.soft(first.statusCode).not.toBe(200);
      const second = await invoke('shaky.bad_output', {});
      expect(second.statusCode).toBe(502);
      expect(second.json().code).toBe('invalid_upstream_response');
    });

    it('respawns an upstream process that crashed: the crashing call fails, a following call succeeds', async () => {
      const connected = () => t.lines.filter((l) => l.includes('"event":"upstream_connected"') && l.includes('"upstream":"chaos"')).length;
      const connectionsBefore = connected();
      const crashed = await invoke('chaos.crash', {});
      expect([502, 504]).toContain(crashed.statusCode);
      expect(['upstream_error', 'upstream_timeout']).toContain(crashed.json().code);
      expect(calls('crash').length).toBeGreaterThanOrEqual(1);
      expect(t.lines.some((l) => l.includes('"event":"upstream_disconnected"'))).toBe(true);

      // The retries after the crash may have opened the breaker: wait it out, then the upstream answers again.
      let ok = false;
      for (let i = 0; i < 10 && !ok; i++) {
        await sleep(HALF_OPEN_MS + 30);
        ok = (await invoke('chaos.echo', { text: `after-crash-${i}` })).statusCode === 200;
      }
      expect(ok).toBe(true);
      expect(connected()).toBeGreaterThan(connectionsBefore);
    });
  });

  describe('HTTP JSON upstreams', () => {
    it('returns the JSON object an HTTP upstream answers as structured content', async () => {
      const res = await invoke('web.lookup', { q: 'warden' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.result.structuredContent).toEqual({ q: 'warden', found: true });
      expect((await executionRecord(app, body.seq)).execution).toMatchObject({ outcome: 'success', attempts: 1 });
    });

    it('retries an HTTP upstream that answers 503, until it answers 200', async () => {
      const key = `flaky-${randomUUID()}`;
      const before = httpHits.filter((h) => h === 'flaky').length;
      const res = await invoke('web.flaky', { key });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.result.structuredContent).toEqual({ ok: true, attempts: 3 });
      expect((await executionRecord(app, body.seq)).execution).toMatchObject({ outcome: 'success', attempts: 3 });
      expect(httpHits.filter((h) => h === 'flaky').length - before).toBe(3);
    });

    it('does not retry a 400 from an HTTP upstream: 502 upstream_error after one attempt', async () => {
      const before = httpHits.filter((h) => h === 'reject').length;
      const res = await invoke('web.reject', { q: 'x' });
      expect(res.statusCode).toBe(502);
      const body = res.json();
      expect(body).toMatchObject({ code: 'upstream_error', message: expect.stringMatching(/answered 400/) });
      expect((await executionRecord(app, body.seq)).execution).toMatchObject({ outcome: 'upstream_error', attempts: 1 });
      expect(httpHits.filter((h) => h === 'reject').length - before).toBe(1);
    });

    it('calls an HTTPS upstream that requires a client certificate with the tls ca, cert and key files of the upstream', async () => {
      const res = await invoke('secure.whoami', {});
      expect(res.statusCode).toBe(200);
      expect(res.json().result.structuredContent).toEqual({ hello: 'warden-gateway' });
      expect(httpsHits.at(-1)).toEqual({ tool: 'whoami', clientCn: 'warden-gateway' });
    });

    it('fails with 502 when the HTTPS upstream is not signed by the configured CA, and never sends it the request', async () => {
      const before = httpsHits.length;
      const res = await invoke('wrongca.whoami', {});
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'upstream_error' });
      expect(res.json()).not.toHaveProperty('result');
      expect(httpsHits.length).toBe(before);
    });

    it('fails with 502 when no client certificate is configured for an HTTPS upstream that requires one', async () => {
      const before = httpsHits.length;
      const res = await invoke('nocert.whoami', {});
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'upstream_error' });
      expect(httpsHits.length).toBe(before);
    });
  });
});

const limitsConfig = (callLog: string) =>
  wardenConfig({
    upstreams: [chaosUpstream(callLog, { timeout_ms: 10_000 })],
    tools: CHAOS_TOOLS,
    limits: { per_agent: { points: 3, per_seconds: 60 } },
  });

describe('rate limits', () => {
  it('refuses the call past limits.per_agent with 429 rate_limited and Retry-After, without reaching the upstream', async () => {
    const callLog = path.join(tmpdir(), `warden-limit-calls-${process.pid}-${randomUUID()}.jsonl`);
    const t = await openTempApp({ config: limitsConfig(callLog), files: { 'policies/tester.cedar': policyFor(['chaos']) } });
    const server = buildServer(t.app);
    try {
      const invoke = invoker(server, (await t.app.agents.createKey('tester')).key);
      for (let i = 1; i <= 3; i++) expect((await invoke('chaos.echo', { text: `call-${i}` })).statusCode).toBe(200);
      const refused = await invoke('chaos.echo', { text: 'call-4' });
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ code: 'rate_limited', decision: 'deny' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(readCalls(callLog).map((c) => c.arguments.text)).toEqual(['call-1', 'call-2', 'call-3']);
    } finally {
      await server.close();
      await t.cleanup();
      rmSync(callLog, { force: true });
    }
  });

  const redisUrl = process.env.WARDEN_TEST_REDIS_URL;
  if (!redisUrl) console.warn('WARDEN_TEST_REDIS_URL is not set: the shared (Redis) rate-limit test across two gateway replicas is skipped');

  it.skipIf(!redisUrl)('enforces one per-agent limit across two gateway replicas sharing Redis', async () => {
    const prefix = `warden-test-${randomUUID()}`;
    const callLog = path.join(tmpdir(), `warden-redis-calls-${process.pid}-${randomUUID()}.jsonl`);
    const replicas: TempApp[] = [];
    const servers: FastifyInstance[] = [];
    try {
      // Two replicas: each its own configuration copy and data directory, the same Redis and prefix.
      const opened = await Promise.allSettled(
        [0, 1].map(() => openTempApp({ config: limitsConfig(callLog), files: { 'policies/tester.cedar': policyFor(['chaos']) }, redisUrl: redisUrl!, redisPrefix: prefix })),
      );
      for (const o of opened) if (o.status === 'fulfilled') replicas.push(o.value);
      for (const o of opened) if (o.status === 'rejected') throw o.reason;
      for (const r of replicas) servers.push(buildServer(r.app));
      const invokes = await Promise.all(replicas.map(async (r, i) => invoker(servers[i]!, (await r.app.agents.createKey('tester')).key)));
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await invokes[i % 2]!('chaos.echo', { text: `replica-call-${i}` })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await invokes[0]!('chaos.echo', { text: 'replica-call-5' });
      expect(refused.statusCode).toBe(429);
      expect(refused.json().code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      for (const r of replicas) await r.cleanup();
      rmSync(callLog, { force: true });
      const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 100);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    }
  });
});
