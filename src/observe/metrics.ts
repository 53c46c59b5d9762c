import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter, Histogram } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import type { AuditRecord, DecisionLogger } from '../core/ports.js';

/** Latency buckets in seconds, from a sub-millisecond decision to a slow upstream. */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const RATE_LIMIT_REASONS = new Set(['rate_limited', 'loop_detected', 'step_budget_exhausted']);

export interface MetricsSources {
  /** Requests waiting for a human, by the time of a scrape. */
  pendingApprovals(): Promise<number>;
  /** Each upstream's breaker: closed, half-open or open. */
  breakers(): { upstream: string; state: string }[];
}

/**
 * Gateway metrics with the OpenTelemetry SDK: Prometheus text at `/metrics`, and OTLP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Fed by the Gate's decision log — every decision and every
 * execution passes through it once — so the Gate needs no second hook.
 */
export class GatewayMetrics implements DecisionLogger {
  private readonly provider: MeterProvider;
  private readonly prometheus: PrometheusExporter;
  private readonly decisions: Counter;
  private readonly executions: Counter;
  private readonly upstreamErrors: Counter;
  private readonly rejections: Counter;
  private readonly findings: Counter;
  private readonly decisionLatency: Histogram;
  private readonly executionLatency: Histogram;

  constructor(sources: MetricsSources, env: NodeJS.ProcessEnv = process.env) {
    this.prometheus = new PrometheusExporter({ preventServerStart: true });
    const readers: MetricReader[] = [this.prometheus];
    if (env.OTEL_EXPORTER_OTLP_ENDPOINT) readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 15_000 }));
    this.provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'warden' }), readers });
    const meter = this.provider.getMeter('warden');
    this.decisions = meter.createCounter('warden_decisions', { description: 'Gate decisions by verb and outcome' });
    this.executions = meter.createCounter('warden_executions', { description: 'Executions of allowed actions by verb and outcome' });
    this.upstreamErrors = meter.createCounter('warden_upstream_errors', { description: 'Executions that failed at the upstream (error, timeout, breaker open, busy, invalid output)' });
    this.rejections = meter.createCounter('warden_admission_rejections', { description: 'Requests refused by rate limits, loop detection or step budgets' });
    this.findings = meter.createCounter('warden_guard_findings', { description: 'Content-guard findings by kind and direction' });
    const advice = { explicitBucketBoundaries: SECONDS_BUCKETS };
    this.decisionLatency = meter.createHistogram('warden_decision_duration_seconds', { unit: 's', description: 'Authenticate to recorded decision', advice });
    this.executionLatency = meter.createHistogram('warden_execution_duration_seconds', { unit: 's', description: 'Upstream execution, retries included', advice });
    meter.createObservableGauge('warden_approvals_pending', { description: 'Approval requests waiting for a human' }).addCallback(async (result) => {
      result.observe(await sources.pendingApprovals().catch(() => 0));
    });
    meter.createObservableGauge('warden_breaker_open', { description: 'Upstream circuit breakers: 1 open, 0.5 half-open, 0 closed' }).addCallback((result) => {
      for (const b of sources.breakers()) result.observe(b.state === 'open' || b.state === 'isolated' ? 1 : b.state === 'half_open' ? 0.5 : 0, { upstream: b.upstream });
    });
  }

  decision(record: AuditRecord & { latencyUs: number }): void {
    const verb = record.verb;
    const x = record.execution;
    if (x) {
      this.executions.add(1, { verb, outcome: x.outcome });
      this.executionLatency.record(x.durationMs / 1000, { verb });
      if (x.outcome !== 'success' && x.outcome !== 'tool_error' && x.outcome !== 'withheld') this.upstreamErrors.add(1, { outcome: x.outcome, upstream: upstreamOf(record) });
      this.countFindings(x.guard, 'output');
      return;
    }
    this.decisions.add(1, { verb, decision: record.decision });
    this.decisionLatency.record(record.latencyUs / 1e6, { verb });
    if (record.reason && RATE_LIMIT_REASONS.has(record.reason)) this.rejections.add(1, { reason: record.reason });
    this.countFindings(record.guard, 'input');
  }

  private countFindings(guard: AuditRecord['guard'], direction: 'input' | 'output'): void {
    if (guard?.injection) this.findings.add(1, { kind: 'injection', direction });
    for (const type of guard?.pii ?? []) this.findings.add(1, { kind: `pii:${type}`, direction });
  }

  /** Serves the Prometheus text exposition on a raw Node request. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    this.prometheus.getMetricsRequestHandler(request, response);
  }

  close(): Promise<void> {
    return this.provider.shutdown();
  }
}

function upstreamOf(record: AuditRecord): string {
  return record.verb === 'tool.invoke' ? record.resource.slice(0, Math.max(0, record.resource.indexOf('.'))) : record.verb;
}

/** Several decision loggers as one (the operator's log line and the metrics). */
export function allOf(...loggers: DecisionLogger[]): DecisionLogger {
  return { decision: (record) => loggers.forEach((l) => l.decision(record)) };
}
