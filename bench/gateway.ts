/**
 * Gateway benchmark: the latency Warden adds to a tool call, and its maximum throughput, against
 * the same upstream called directly and through a bare Fastify proxy.
 *
 * One process: a tiny node:http upstream (`POST /<tool>` → {"ok":true,"echo":…}), Warden on it
 * (every stage on: API-key auth, agent status, admission with rate limits and loop detection,
 * risk, Cedar decision, PGlite ledger with two appends per call, decision log, resilience,
 * output inspection), and a bare Fastify proxy on it. The load generator (autocannon) runs in a
 * worker thread of the same process, so its event loop never waits behind the servers'.
 *
 * Fixed load: autocannon `overallRate` 1,000 req/s for 10 s. autocannon's rate limit is a per-second
 * quota per connection (each connection sends closed-loop until its quota is used, then waits for
 * the next 1 s tick), so the "1,000 req/s" arrives in a burst at the start of every second; the
 * bench reports how long that burst lasts. A paced run (an open-loop undici client sending one
 * request every millisecond from the same worker) measures latency at a steady 1,000 req/s too.
 * Latency percentiles are computed from every response's own duration (autocannon's histogram
 * rounds to whole milliseconds and adds coordinated-omission samples at 1 ms intervals).
 *
 * Every call carries distinct arguments ({n, msg} with a counter) and one of 8 session ids, so the
 * loop detector (default max_repeats 5) never trips; the rate limits are set to 10^8 points so
 * everything is admitted while every limiter still runs. Any non-2xx response aborts the run.
 *
 * WARDEN_BENCH_INPROCESS=1 runs autocannon on the servers' own event loop instead (it halves the
 * servers' throughput here, which is why the worker thread is the default);
 * WARDEN_BENCH_TARGETS=warden measures only the listed targets, for profiling with --cpu-prof.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { openApp, type App } from '../src/app.js';
import { createLogger } from '../src/observe/decision-log.js';
import { buildServer } from '../src/transports/http/server.js';
import type { BenchOptions } from './run.js';

const RATE = 1_000;
const FIXED_SECONDS = 10;
const MAX_SECONDS = 5;
const WARMUP_SECONDS = 3;
const CONNECTIONS = 20;
const TOOL = 'bench.echo';
const AGENT = 'bench-agent';
const SESSIONS = 8;
/** Set WARDEN_BENCH_INPROCESS=1 to run autocannon on the servers' own event loop instead (for comparison). */
const IN_PROCESS = process.env.WARDEN_BENCH_INPROCESS === '1';

/** For profiling: WARDEN_BENCH_TARGETS=warden (comma-separated: direct, bare_proxy, warden) measures only those and prints raw results. */
const ONLY = (process.env.WARDEN_BENCH_TARGETS ?? '').split(',').filter((s) => s !== '');

const progress = (line: string) => process.stderr.write(`[bench gateway] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// The load generator: a CommonJS worker script, so it runs without the TypeScript loader.

interface LoadSpec {
  kind: 'autocannon' | 'paced';
  url: string;
  /** `direct` sends the tool's arguments as the body; `invoke` sends {arguments, sessionId}. */
  shape: 'direct' | 'invoke';
  headers: Record<string, string>;
  seconds: number;
  connections: number;
  rate?: number;
  /** Where the body counter starts, so no two runs send the same arguments. */
  start: number;
}

interface LatencyStats {
  n: number;
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
}

interface LoadResult {
  requests: number;
  rps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: LatencyStats;
  /** autocannon's own histogram, whole milliseconds (for reference). */
  autocannon_p50_ms?: number;
  autocannon_p99_ms?: number;
  /** Fixed load: 95% of each second's requests were sent within this many ms of the second's start. */
  burst_p95_ms?: number;
  bodySample?: string;
}

const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const spec = workerData.spec;
let counter = spec.start;
const body = () => {
  const n = counter++;
  const args = { n, msg: 'hello ' + (n % 97) };
  return JSON.stringify(spec.shape === 'direct' ? args : { arguments: args, sessionId: 'bench-' + (n % ${SESSIONS}) });
};
const stats = (lat) => {
  const a = Float64Array.from(lat).sort();
  const q = (p) => (a.length ? a[Math.min(a.length - 1, Math.ceil(p * a.length) - 1)] : 0);
  const r = (v) => Math.round(v * 1000) / 1000;
  const sum = a.reduce((s, v) => s + v, 0);
  return { n: a.length, mean_ms: r(a.length ? sum / a.length : 0), p50_ms: r(q(0.5)), p90_ms: r(q(0.9)), p99_ms: r(q(0.99)), p999_ms: r(q(0.999)), max_ms: r(a.length ? a[a.length - 1] : 0) };
};

async function viaAutocannon() {
  const autocannon = require(workerData.autocannonPath);
  const lat = [];
  const sentAt = [];
  let started = 0;
  let bodySample;
  const opts = {
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...spec.headers },
    connections: spec.connections,
    pipelining: 1,
    duration: spec.seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }), onResponse: (status, b) => { bodySample ??= String(b); } }],
    ...(spec.rate ? { overallRate: spec.rate } : {}),
  };
  const raw = await new Promise((resolve, reject) => {
    started = performance.now();
    const instance = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, _status, _bytes, ms) => {
      lat.push(ms);
      if (spec.rate) sentAt.push(performance.now() - ms - started);
    });
  });
  // In a worker thread autocannon hands back its raw, encoded histograms: aggregate them here.
  const result = raw.latency ? raw : autocannon.aggregateResult([raw], opts);
  let burst;
  if (spec.rate) {
    const offsets = Float64Array.from(sentAt.map((t) => t % 1000)).sort();
    burst = Math.round(offsets[Math.floor(offsets.length * 0.95)] ?? 0);
  }
  const s = stats(lat);
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.total / (result.duration || spec.seconds)),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency: s,
    autocannon_p50_ms: result.latency.p50,
    autocannon_p99_ms: result.latency.p99,
    ...(burst !== undefined ? { burst_p95_ms: burst } : {}),
    bodySample,
  };
}

// Open loop: request i is due at start + i / rate; latency is measured from when it was due, so a
// stalled generator or server shows up in the figures instead of silently lowering the load.
async function paced() {
  const { Pool } = require(workerData.undiciPath);
  const u = new URL(spec.url);
  const pool = new Pool(u.origin, { connections: spec.connections, pipelining: 1 });
  // The first second warms the fresh worker's client (connections, JIT) and is not recorded.
  const skip = spec.rate;
  const total = spec.rate * (spec.seconds + 1);
  const interval = 1000 / spec.rate;
  const lat = [];
  let non2xx = 0, errors = 0, sent = 0, bodySample;
  const inflight = new Set();
  const t0 = performance.now();
  const fire = (due, record) => {
    const p = pool
      .request({ path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...spec.headers }, body: body() })
      .then(async (res) => {
        const text = await res.body.text();
        const ms = performance.now() - due;
        if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
        else if (record) lat.push(ms);
        bodySample ??= text;
      })
      .catch(() => { errors++; })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        fire(t0 + sent * interval, sent >= skip);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, t0 + sent * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  await Promise.all([...inflight]);
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  return { requests: sent - skip, rps: Math.round(sent / elapsed), non2xx, errors, timeouts: 0, latency: stats(lat), bodySample };
}

(spec.kind === 'paced' ? paced() : viaAutocannon()).then(
  (r) => parentPort.postMessage({ ok: true, result: r }),
  (e) => parentPort.postMessage({ ok: false, error: String(e && e.stack || e) }),
);
`;

const require_ = createRequire(import.meta.url);
const MODULES = { autocannonPath: require_.resolve('autocannon'), undiciPath: require_.resolve('undici') };

function load(spec: LoadSpec): Promise<LoadResult> {
  if (IN_PROCESS) return loadInProcess(spec);
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { spec, ...MODULES } });
    worker.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.result);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
}

/** The same script on this thread: a CommonJS function body given require and the worker's globals. */
function loadInProcess(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const parentPort = {
      postMessage: (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => (m.ok ? resolve(m.result) : reject(new Error(m.error))),
    };
    const source = WORKER_SOURCE.replace("const { parentPort, workerData } = require('node:worker_threads');", '');
    new Function('require', 'parentPort', 'workerData', source)(require_, parentPort, { spec, ...MODULES });
  });
}

// ---------------------------------------------------------------------------------------------
// The three servers

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

/** `POST /<tool>` → {"ok":true,"tool":…,"echo":<the arguments>}. */
function startUpstream(): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let echo: unknown;
      try {
        echo = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const out = JSON.stringify({ ok: true, tool: (req.url ?? '/').slice(1), echo });
      res.writeHead(req.method === 'POST' ? 200 : 405, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out);
    });
  });
}

/** Fastify forwarding the arguments to the upstream with the global fetch (the one Warden's http upstream uses), nothing else. */
function startBareProxy(upstreamUrl: string): FastifyInstance {
  const server = Fastify({ logger: false });
  server.post<{ Params: { tool: string }; Body: { arguments?: Record<string, unknown> } }>('/v1/tools/:tool/invoke', async (request, reply) => {
    const name = request.params.tool.slice(request.params.tool.indexOf('.') + 1);
    const response = await fetch(`${upstreamUrl}/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request.body.arguments ?? {}),
    });
    const result: unknown = await response.json();
    return reply.status(response.ok ? 200 : 502).send({ result });
  });
  return server;
}

function wardenConfig(upstreamUrl: string): string {
  const big = 100_000_000;
  return [
    'version: 1',
    'org: { id: bench }',
    'env: bench',
    'agents:',
    `  - { id: ${AGENT}, roles: [caller] }`,
    'roles:',
    '  - { id: caller }',
    'upstreams:',
    `  - { id: bench, transport: http, url: "${upstreamUrl}", trust: trusted, timeout_ms: 5000 }`,
    'tools:',
    `  - { id: ${TOOL}, risk: low, args: { n: long, msg: string } }`,
    // High enough that everything is admitted; every limiter (agent, tool, session, loop, steps) still runs.
    'limits:',
    `  per_agent: { points: ${big}, per_seconds: 60 }`,
    `  per_tool: { points: ${big}, per_seconds: 60 }`,
    `  per_session: { points: ${big}, per_seconds: 60 }`,
    '  loop: { max_repeats: 5, window_seconds: 60 }',
    `  session_step_budget: ${big}`,
    '',
  ].join('\n');
}

const POLICY = `@id("bench-agent-echo")
permit (
  principal in Role::"caller",
  action == Action::"tool.invoke",
  resource == Tool::"${TOOL}"
);
`;

async function startWarden(root: string, upstreamUrl: string): Promise<{ app: App; server: FastifyInstance; key: string; logFile: string }> {
  const configDir = path.join(root, 'config');
  mkdirSync(path.join(configDir, 'policies'), { recursive: true });
  writeFileSync(path.join(configDir, 'warden.yaml'), wardenConfig(upstreamUrl));
  writeFileSync(path.join(configDir, 'policies', 'bench.cedar'), POLICY);
  // The production logger (redaction included), writing to a file instead of stdout.
  const logFile = path.join(root, 'warden.log');
  const app = await openApp({ config: configDir, dataDir: path.join(root, 'data'), logger: createLogger({ destination: pino.destination({ dest: logFile, sync: true }) }) });
  const { key } = await app.agents.createKey(AGENT);
  return { app, server: buildServer(app), key, logFile };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Target {
  name: 'direct' | 'bare_proxy' | 'warden';
  label: string;
  url: string;
  shape: LoadSpec['shape'];
  headers: Record<string, string>;
}

interface TargetResult {
  fixed: LoadResult;
  paced: LoadResult;
  max: LoadResult;
}

let counter = 0;
const nextStart = (n: number) => ((counter += n + 1_000_000), counter);

async function measure(t: Target): Promise<TargetResult> {
  const base = { url: t.url, shape: t.shape, headers: t.headers, connections: CONNECTIONS };
  progress(`${t.label}: warm-up ${WARMUP_SECONDS} s at max load…`);
  const warm = await load({ ...base, kind: 'autocannon', seconds: WARMUP_SECONDS, start: nextStart(0) });
  check(t, 'warm-up', warm);
  progress(`${t.label}: warm-up ${warm.rps} req/s; sample response ${warm.bodySample?.slice(0, 160)}`);

  progress(`${t.label}: fixed load, autocannon overallRate ${RATE}/s for ${FIXED_SECONDS} s, ${CONNECTIONS} connections…`);
  const fixed = await load({ ...base, kind: 'autocannon', seconds: FIXED_SECONDS, rate: RATE, start: nextStart(0) });
  check(t, 'fixed', fixed);
  progress(`${t.label}: fixed  p50 ${fixed.latency.p50_ms} ms p99 ${fixed.latency.p99_ms} ms (${fixed.requests} requests, 95% sent in the first ${fixed.burst_p95_ms} ms of each second)`);

  progress(`${t.label}: paced load, one request every ${1000 / RATE} ms for ${FIXED_SECONDS} s…`);
  const paced = await load({ ...base, kind: 'paced', seconds: FIXED_SECONDS, rate: RATE, start: nextStart(0) });
  check(t, 'paced', paced);
  progress(`${t.label}: paced  p50 ${paced.latency.p50_ms} ms p99 ${paced.latency.p99_ms} ms (${paced.requests} requests at ${paced.rps} req/s)`);

  progress(`${t.label}: max load ${MAX_SECONDS} s, ${CONNECTIONS} connections…`);
  const max = await load({ ...base, kind: 'autocannon', seconds: MAX_SECONDS, start: nextStart(0) });
  check(t, 'max', max);
  progress(`${t.label}: max    ${max.rps} req/s, p50 ${max.latency.p50_ms} ms p99 ${max.latency.p99_ms} ms`);
  return { fixed, paced, max };
}

function check(t: Target, phase: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${t.label} ${phase}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts; a response: ${r.bodySample ?? '(none)'}`);
  }
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const r2 = (v: number) => Math.round(v * 100) / 100;

function table(results: Record<Target['name'], TargetResult>, labels: Record<Target['name'], string>): string {
  const head = ['target', 'fixed req/s', 'fixed p50', 'fixed p99', 'paced req/s', 'paced p50', 'paced p99', 'max req/s', 'max p50', 'max p99'];
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const rows = (Object.keys(results) as Target['name'][]).map((k) => {
    const r = results[k];
    return [labels[k], String(r.fixed.rps), ms(r.fixed.latency.p50_ms), ms(r.fixed.latency.p99_ms), String(r.paced.rps), ms(r.paced.latency.p50_ms), ms(r.paced.latency.p99_ms), String(r.max.rps), ms(r.max.latency.p50_ms), ms(r.max.latency.p99_ms)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function run(opts: BenchOptions): Promise<void> {
  const started = performance.now();
  const root = mkdtempSync(path.join(tmpdir(), 'warden-bench-gateway-'));
  const setup = IN_PROCESS ? 'autocannon on the servers\' event loop (WARDEN_BENCH_INPROCESS=1)' : 'autocannon in a worker thread of the same process';
  const loadBefore = loadavg()[0] ?? 0;
  progress(`node ${process.version}, ${cpus().length} cores, load average ${loadBefore.toFixed(2)} before starting; upstream, Warden, bare proxy and load generator in ONE process (${setup})`);
  const upstream = startUpstream();
  let warden: Awaited<ReturnType<typeof startWarden>> | undefined;
  let proxy: FastifyInstance | undefined;
  try {
    const upstreamUrl = await listen(upstream);
    warden = await startWarden(root, upstreamUrl);
    const wardenUrl = await warden.server.listen({ host: '127.0.0.1', port: 0 });
    proxy = startBareProxy(upstreamUrl);
    const proxyUrl = await proxy.listen({ host: '127.0.0.1', port: 0 });
    const invokePath = `/v1/tools/${TOOL}/invoke`;
    const targets: Target[] = [
      { name: 'direct', label: 'direct upstream', url: `${upstreamUrl}/echo`, shape: 'direct', headers: {} },
      { name: 'bare_proxy', label: 'bare Fastify proxy', url: `${proxyUrl}${invokePath}`, shape: 'invoke', headers: {} },
      { name: 'warden', label: 'Warden', url: `${wardenUrl}${invokePath}`, shape: 'invoke', headers: { authorization: `Bearer ${warden.key}` } },
    ];
    const results = {} as Record<Target['name'], TargetResult>;
    for (const t of targets) if (ONLY.length === 0 || ONLY.includes(t.name)) results[t.name] = await measure(t);
    if (ONLY.length > 0) {
      process.stdout.write(`${JSON.stringify(results)}\n`);
      return;
    }
    await warden.app.ledger.flush();
    const { rows } = await warden.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_ledger');
    const ledgerEntries = Number(rows[0]?.n ?? 0);

    const d = results.direct;
    const w = results.warden;
    const p = results.bare_proxy;
    const summary = {
      bench: 'gateway',
      node: process.version,
      cores: cpus().length,
      /** 1-minute load average before and after: other processes on the machine distort every figure. */
      load_average: { before: r2(loadBefore), after: r2(loadavg()[0] ?? 0) },
      setup: IN_PROCESS ? 'in-process' : 'worker-thread',
      rate: RATE,
      fixed_seconds: FIXED_SECONDS,
      max_seconds: MAX_SECONDS,
      connections: CONNECTIONS,
      added_p50_ms: r3(w.fixed.latency.p50_ms - d.fixed.latency.p50_ms),
      added_p99_ms: r3(w.fixed.latency.p99_ms - d.fixed.latency.p99_ms),
      proxy_added_p50_ms: r3(p.fixed.latency.p50_ms - d.fixed.latency.p50_ms),
      proxy_added_p99_ms: r3(p.fixed.latency.p99_ms - d.fixed.latency.p99_ms),
      paced_added_p50_ms: r3(w.paced.latency.p50_ms - d.paced.latency.p50_ms),
      paced_added_p99_ms: r3(w.paced.latency.p99_ms - d.paced.latency.p99_ms),
      paced_proxy_added_p50_ms: r3(p.paced.latency.p50_ms - d.paced.latency.p50_ms),
      paced_proxy_added_p99_ms: r3(p.paced.latency.p99_ms - d.paced.latency.p99_ms),
      max_rps: { direct: d.max.rps, bare_proxy: p.max.rps, warden: w.max.rps },
      throughput_ratio: r2(w.max.rps / p.max.rps),
      ledger_entries: ledgerEntries,
      raw: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { fixed: strip(r.fixed), paced: strip(r.paced), max: strip(r.max) }])),
    };

    const out = (line: string) => process.stdout.write(`${line}\n`);
    out('');
    out(`Gateway: ${TOOL} through Warden vs the upstream directly vs a bare Fastify proxy (node ${process.version}, ${cpus().length} cores).`);
    out(`1-minute load average ${summary.load_average.before} before, ${summary.load_average.after} after (other processes on the machine compete for the same 2 cores).`);
    out(`Everything runs in ONE process: upstream, Warden (PGlite embedded), bare proxy, and the load generator (${setup}).`);
    out(`fixed = autocannon overallRate ${RATE}/s for ${FIXED_SECONDS} s, ${CONNECTIONS} connections (bursty: 95% of each second's requests are sent in its first ` +
      `${d.fixed.burst_p95_ms}/${p.fixed.burst_p95_ms}/${w.fixed.burst_p95_ms} ms for direct/proxy/Warden);`);
    out(`paced = open loop, one request every ${1000 / RATE} ms for ${FIXED_SECONDS} s after a 1 s warm-up (latency from when each was due); max = autocannon, no rate, ${MAX_SECONDS} s, ${CONNECTIONS} connections.`);
    out('');
    out(table(results, { direct: 'direct upstream', bare_proxy: 'bare Fastify proxy', warden: 'Warden (all stages)' }));
    out('');
    out(`added vs direct, fixed:  Warden p50 +${summary.added_p50_ms} ms, p99 +${summary.added_p99_ms} ms; bare proxy p50 +${summary.proxy_added_p50_ms} ms, p99 +${summary.proxy_added_p99_ms} ms`);
    out(`added vs direct, paced:  Warden p50 +${summary.paced_added_p50_ms} ms, p99 +${summary.paced_added_p99_ms} ms; bare proxy p50 +${summary.paced_proxy_added_p50_ms} ms, p99 +${summary.paced_proxy_added_p99_ms} ms`);
    for (const [k, label] of [['direct', 'the upstream'], ['bare_proxy', 'the bare proxy'], ['warden', 'Warden']] as const) {
      const r = results[k];
      if (r.fixed.rps < RATE * 0.95) {
        out(`NOTE: ${label} served only ${r.fixed.rps} of the ${RATE} req/s offered: its fixed-load latency is a saturation latency (about ${CONNECTIONS} connections / its throughput), not the cost of one call.`);
      }
      if (r.paced.rps < RATE * 0.95) out(`NOTE: ${label} fell behind the paced ${RATE} req/s (${r.paced.rps} req/s): its paced latencies include an ever-growing queue.`);
    }
    out(`throughput_ratio (Warden max / bare proxy max): ${summary.throughput_ratio}`);
    const ok = (b: boolean) => (b ? 'ok' : 'MISSED');
    out(
      `targets (fixed load): added p50 < 1 ms: ${ok(summary.added_p50_ms < 1)}; added p99 < 2 ms: ${ok(summary.added_p99_ms < 2)}; ` +
        `throughput >= half the bare proxy's: ${ok(summary.throughput_ratio >= 0.5)}`,
    );
    out(`ledger entries written: ${ledgerEntries} (two per allowed call: the decision and the execution)`);
    progress(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (opts.json) out(JSON.stringify(summary));
  } finally {
    await proxy?.close();
    await warden?.server.close();
    await warden?.app.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(root, { recursive: true, force: true });
  }
}

function strip(r: LoadResult): Omit<LoadResult, 'bodySample'> {
  const { bodySample: _bodySample, ...rest } = r;
  return rest;
}
