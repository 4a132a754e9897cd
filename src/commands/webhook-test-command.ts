import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { TEST_EVENT_ID_PREFIX } from '../webhooks/webhook-doorbell.js';
import { createWebhookSigner } from '../workos/webhook-signer.js';
import { EXIT_FAILURE, EXIT_OK, reportFailure, type CommandIO } from './command-io.js';
import { ENV } from '../config/env.js';
import { readSecretEnv } from '../config/secret-env.js';

export interface WebhookTestArgs {
  readonly url?: string | undefined;
  readonly secret?: string | undefined;
}

/** The type of a test delivery: no catalog type, so an existing handler's switch ignores it. */
export const TEST_EVENT_TYPE = 'workos_events_sync.test';

/**
 * `webhook-test --url URL [--secret S]`: sends one correctly signed sample delivery, exactly as
 * WorkOS would (body, `WorkOS-Signature`), to check a setup end to end: ours (`/webhooks/workos`
 * answers 200) or a handler of yours. The secret defaults to WORKOS_WEBHOOK_SECRET (or the file
 * WORKOS_WEBHOOK_SECRET_FILE names), as the daemon reads it.
 */
export async function webhookTestCommand(args: WebhookTestArgs, io: CommandIO): Promise<number> {
  try {
    const problems: string[] = [];
    const fromEnv = args.secret === undefined ? readSecretEnv(io.env, ENV.webhookSecret) : { value: args.secret };
    const secret = 'value' in fromEnv ? fromEnv.value?.trim() : undefined;
    if (!args.url || !/^https?:\/\//.test(args.url)) problems.push(`webhook-test --url: expected an http(s) URL, got ${args.url ? `"${args.url}"` : 'nothing'}`);
    if ('problem' in fromEnv) problems.push(fromEnv.problem);
    else if (!secret) problems.push(`webhook-test: give --secret or set ${ENV.webhookSecret} or ${ENV.webhookSecret}_FILE (the endpoint's webhook secret)`);
    if (problems.length > 0) throw new ConfigError(problems);
    const now = new Date();
    const body = JSON.stringify({
      id: `${TEST_EVENT_ID_PREFIX}${randomBytes(8).toString('hex').toUpperCase()}`,
      event: TEST_EVENT_TYPE,
      data: { object: 'test', message: 'a signed test delivery from workos-events-sync webhook-test' },
      created_at: now.toISOString(),
    });
    const started = performance.now();
    const response = await fetch(args.url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'workos-signature': await createWebhookSigner(secret!)(now.getTime(), body) },
      body,
      signal: AbortSignal.timeout(10_000),
      redirect: 'manual',
    });
    const text = (await response.text()).slice(0, 200).replace(/\s+/g, ' ');
    const ms = Math.round(performance.now() - started);
    io.stdout.write(`POST ${args.url} -> ${response.status} ${response.statusText} (${ms} ms)${text ? `: ${text}` : ''}\n`);
    if (response.ok) return EXIT_OK;
    io.stderr.write(`workos-events-sync: the endpoint answered ${response.status}${response.status === 401 ? ': the secret does not match the endpoint\'s' : ''}\n`);
    return EXIT_FAILURE;
  } catch (err) {
    return reportFailure(io, err);
  }
}
