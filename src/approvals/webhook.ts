import { createHmac } from 'node:crypto';
import { WardenError } from '../core/errors.js';
import type { ApprovalsConfig } from '../config/schema.js';
import type { ApprovalEvent } from './approvals.js';

export const SIGNATURE_HEADER = 'x-warden-signature';
const DEFAULT_TIMEOUT_MS = 5_000;

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`: what a receiver recomputes with the shared secret. */
export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Announces approval events by POSTing `{type, approval}` as JSON, signed in `x-warden-signature`.
 * Rejects when the receiver does not answer 2xx within the timeout (the caller logs it; parking
 * never waits for or fails with a webhook).
 */
export function webhookNotifier(options: { url: string; secret: string; timeoutMs?: number }): (event: ApprovalEvent) => Promise<void> {
  if (!options.secret) throw new WardenError('config_invalid', 'approvals.webhook: the signing secret is empty');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (event) => {
    const body = JSON.stringify({ type: event.type, approval: event.approval });
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'warden-approvals', [SIGNATURE_HEADER]: signatureOf(body, options.secret) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    // Drain the body so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`approval webhook answered ${response.status}`);
  };
}

/** The configured webhook, or undefined without one; the secret comes from the named environment variable. */
export function notifierFromConfig(config: ApprovalsConfig, env: NodeJS.ProcessEnv = process.env): ((event: ApprovalEvent) => Promise<void>) | undefined {
  const hook = config.webhook;
  if (!hook) return undefined;
  const secret = env[hook.secret_env];
  if (!secret) throw new WardenError('config_invalid', `approvals.webhook.secret_env: the environment variable ${hook.secret_env} is not set`);
  return webhookNotifier({ url: hook.url, secret });
}
