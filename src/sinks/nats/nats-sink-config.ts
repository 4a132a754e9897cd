import { z } from 'zod';
import { urlField } from '../../validation/url-field.js';
import { sinkCommonFields } from '../sink-common-config.js';
import { defaultStreamSubjects, subjectTemplateProblem } from './subject-template.js';

/** Default subject template: one subject per event type, nested by its dots. */
export const DEFAULT_NATS_SUBJECT = 'workos.events.{event}';
/** Default server: the NATS default port on this machine. */
export const DEFAULT_NATS_SERVER = 'nats://127.0.0.1:4222';
/**
 * Default duplicate window of a stream the sink creates: 10 minutes. A page is replayed after a
 * failed write (retries back off up to 30 s each) or a crash and restart; the window must outlast
 * that for the server to drop the replayed events.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 600_000;

// The NATS client reads only host and port (TLS comes from the server's INFO), so a bare
// "host:port" is accepted as it is by the client; "ws://" would need another transport.
const natsServer = urlField({ schemes: ['nats', 'tls'], example: 'nats://nats:4222', schemeOptional: true });
const streamName = z.string().min(1).max(255).regex(/^[^\s.*>/\\]+$/, 'expected a stream name without whitespace, ".", "*", ">", "/" or "\\"');
const streamSubject = z.string().min(1).regex(/^\S+$/, 'expected a NATS subject without whitespace');

const streamSchema = z
  .strictObject({
    name: streamName.describe('JetStream stream that must store the events. Every publish names it as the expected stream, so a subject captured by another stream is refused.'),
    subjects: z.array(streamSubject).min(1).optional()
      .describe('Subjects of the stream when the sink creates it; required with create when the subject template starts with a placeholder. Default: the template\'s literal prefix followed by ">", e.g. "workos.events.>".'),
    create: z.boolean().default(false)
      .describe('Create the stream when it does not exist, at open and again if it disappears (a memory stream lost in a server restart). An existing stream is left as it is; settings that differ are logged at info. Default false.'),
    duplicateWindowMs: z.int().min(1000).default(DEFAULT_DUPLICATE_WINDOW_MS)
      .describe('Duplicate window of a created stream, in ms: a replayed event (same Nats-Msg-Id) within it is dropped by the server. It must be longer than a page can take to be retried, or to come back after a crash and restart. Default 600000 (10 minutes).'),
    maxAgeMs: z.int().min(1000).optional()
      .describe('Maximum age of messages in a created stream, in ms. Default: unlimited.'),
    maxMsgSizeBytes: z.int().min(1).optional()
      .describe('Largest message a created stream accepts, in bytes; a larger event is rejected. Default: the server\'s limit.'),
    storage: z.enum(['file', 'memory']).default('file')
      .describe('Storage of a created stream: "file" (default; survives a server restart) or "memory".'),
    replicas: z.int().min(1).max(5).default(1).describe('Replicas of a created stream (in a cluster). Default 1.'),
  })
  .describe('The JetStream stream the events go to. Without it, any stream whose subjects match stores the events and the sink creates nothing. Default: none.');

export const natsSinkConfigSchema = z
  .strictObject({
    type: z.literal('nats').describe('"nats": each event as a NATS JetStream message.'),
    ...sinkCommonFields,
    servers: z.union([natsServer, z.array(natsServer).min(1)]).default(DEFAULT_NATS_SERVER)
      .describe(`NATS server URL or a list of them, e.g. "nats://nats:4222" (or "tls://", or a bare "host:port"). The client reconnects on its own, without limit. Credentials in a URL (nats://user:\${NATS_PASSWORD}@host:4222, or nats://\${NATS_TOKEN}@host:4222 for a token) work and are never logged; explicit user, pass and token take precedence. Default "${DEFAULT_NATS_SERVER}".`),
    user: z.string().min(1).optional().describe('User name, for user/password authentication. Default: none.'),
    pass: z.string().min(1).optional().describe('Password, with user; put it in as "${NATS_PASSWORD}", never in the file. Default: none.'),
    token: z.string().min(1).optional().describe('Authentication token, instead of user and pass; put it in as "${NATS_TOKEN}". Default: none.'),
    subject: z.string().min(1).default(DEFAULT_NATS_SUBJECT)
      .describe(`Subject template: {event} is the event type with its dots kept (so types nest: subscribe to workos.events.dsync.>), {organization_id} the event's organization as a single token ("none" when it has none). Whitespace, * and > in a value become _, and so do dots in the organization id. Default "${DEFAULT_NATS_SUBJECT}".`),
    stream: streamSchema.optional(),
    timeoutMs: z.int().min(100).max(120_000).default(5000)
      .describe('How long to wait for each publish acknowledgement, in ms; a timeout is retryable. Default 5000.'),
    connectTimeoutMs: z.int().min(100).max(120_000).default(5000)
      .describe('How long to wait for a connection (and a JetStream API call), in ms. Default 5000.'),
  })
  .superRefine((config, ctx) => {
    const problem = subjectTemplateProblem(config.subject);
    if (problem) ctx.addIssue({ code: 'custom', path: ['subject'], message: problem });
    if (config.pass !== undefined && config.user === undefined) ctx.addIssue({ code: 'custom', path: ['pass'], message: 'needs "user"' });
    if (config.token !== undefined && config.user !== undefined) ctx.addIssue({ code: 'custom', path: ['token'], message: 'use either "token" or "user"/"pass", not both' });
    if (!problem && config.stream?.create && !config.stream.subjects && !defaultStreamSubjects(config.subject)) {
      ctx.addIssue({ code: 'custom', path: ['stream', 'subjects'], message: 'is required when the subject template starts with a placeholder (no literal prefix to capture)' });
    }
  })
  .describe('Publishes each event to NATS JetStream with Nats-Msg-Id = event id, and waits for every acknowledgement.');

export type NatsSinkConfig = z.infer<typeof natsSinkConfigSchema>;
export type NatsStreamConfig = NonNullable<NatsSinkConfig['stream']>;
