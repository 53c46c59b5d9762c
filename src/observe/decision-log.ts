import pino, { type DestinationStream, type Logger } from 'pino';
import type { DecisionLogger } from '../core/ports.js';

/**
 * Paths the logger redacts wherever they appear, so a secret that reaches a log line by mistake is
 * still censored there: credentials, tokens and raw arguments.
 */
export const REDACT_PATHS = [
  'token',
  'key',
  'secret',
  'password',
  'authorization',
  '*.token',
  '*.key',
  '*.secret',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'args',
  '*.args',
  'context.args',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    { level: options.level ?? process.env.WARDEN_LOG_LEVEL ?? 'info', base: { service: 'warden' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    options.destination ?? pino.destination(1),
  );
}

/** One JSON line per Gate decision. */
export function decisionLogger(logger: Logger): DecisionLogger {
  const log = logger.child({ kind: 'decision' });
  return {
    decision: (record) => log.info(record, `${record.decision} ${record.verb} ${record.resource} for ${record.agentId}`),
  };
}
