import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The files a user builds and runs the container with, checked for what each promises. No
// container engine runs in CI (the image was built with buildah and run with runc by hand); what
// the image relies on at run time is tested on the CLI itself: SIGTERM under tini in
// test/process/stop-in-container.test.ts, the container config in container-config.test.ts.

const repo = new URL('../../', import.meta.url);
const text = (path: string) => readFileSync(new URL(path, repo), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  secrets?: Array<string | { source: string; mode?: number }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  logging?: { driver: string; options?: Record<string, string> };
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { environment?: string; file?: string }>;
}

const composeText = text('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as Compose;
const worker = compose.services.worker!;
const dockerfile = text('Dockerfile');
/** Instructions of the Dockerfile, continuation lines joined. */
const instructions = dockerfile.replace(/\\\n\s*/g, ' ').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

describe('docker-compose.yml', () => {
  it('is a valid Compose file (the Compose Specification schema)', () => {
    // test/fixtures/compose-spec.json: schema/compose-spec.json of compose-spec/compose-spec at
    // 170098ba07d9 (Apache-2.0). Compose rejects unknown keys the same way.
    const schema = JSON.parse(text('test/fixtures/compose-spec.json')) as object;
    const validate = new Ajv({ strict: false, allErrors: true, validateSchema: false }).compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('needs no variable exported in the shell, so logs, ps, stop and down work without one', () => {
    // `${VAR:?message}` or `${VAR?message}` fails every command when VAR is unset.
    expect(composeText).not.toMatch(/\$\{[A-Z0-9_]+:?\?/);
    const example = text('.env.example');
    for (const [, name, fallback] of composeText.matchAll(/\$\{([A-Z0-9_]+)(:-[^}]*)?\}/g)) {
      // Each setting has a default here, or is one .env.example tells the user to fill in.
      expect(fallback ?? example.match(new RegExp(`^${name}=`, 'm')), `${name} needs a default or a line in .env.example`).toBeTruthy();
    }
  });

  it('hands the WorkOS key to the worker as a secret file, from WORKOS_API_KEY in .env', () => {
    expect(worker.environment).not.toHaveProperty('WORKOS_API_KEY');
    expect(worker.environment).toMatchObject({ WORKOS_API_KEY_FILE: '/run/secrets/workos_api_key' });
    expect(worker.secrets).toContainEqual(expect.objectContaining({ source: 'workos_api_key' }));
    expect(compose.secrets?.workos_api_key).toEqual({ environment: 'WORKOS_API_KEY' });
    expect(text('.env.example')).toMatch(/^WORKOS_API_KEY=$/m);
    // Every *_FILE the worker is given is a secret it is granted, mounted where the variable says.
    const granted = (worker.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
    for (const [name, path] of Object.entries(worker.environment ?? {}).filter(([name]) => name.endsWith('_FILE'))) {
      expect(granted.map((secret) => `/run/secrets/${secret}`), name).toContain(path);
    }
  });

  it('keeps .env out of git and out of the image', () => {
    const gitignore = text('.gitignore').split('\n');
    expect(gitignore).toEqual(expect.arrayContaining(['.env', '!.env.example']));
    // .dockerignore lets in only what the Dockerfile copies (below), so no .env.
    expect(text('.dockerignore').split('\n')).toContain('*');
  });

  it('pins every image it pulls to an exact version, and names the one it builds', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+(-[a-z0-9.]+)?$/);
    }
    expect(worker.build).toBeDefined();
    expect(worker.image).toMatch(/^\$\{WORKER_IMAGE:-workos-events-sync:[a-z0-9.-]+\}$/);
  });

  it('rotates the logs of every container', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.logging, name).toMatchObject({ driver: 'json-file', options: { 'max-size': expect.stringMatching(/^\d+m$/) } });
    }
  });

  it('counts Redis healthy only when it answers PONG, not on an error reply', () => {
    expect(compose.services.redis!.healthcheck!.test).toEqual(['CMD-SHELL', 'redis-cli ping | grep -q PONG']);
  });

  it('runs the worker with the container config, and stops it later than that config\'s shutdown grace', () => {
    expect(worker.volumes).toContain('./deploy/docker/config.json:/config/config.json:ro');
    const config = JSON.parse(text('deploy/docker/config.json')) as { shutdownGraceMs: number; sinks: Array<{ type: string }> };
    expect(config.sinks.map((s) => s.type)).not.toContain('stdout');
    expect(Number(/^(\d+)s$/.exec(worker.stop_grace_period ?? '')?.[1]) * 1000).toBeGreaterThan(config.shutdownGraceMs);
  });
});

describe('Dockerfile', () => {
  it('names its base image once, with the exact Node the tests run on', () => {
    const node = (JSON.parse(text('node_modules/node/package.json')) as { version: string }).version;
    expect(dockerfile).not.toMatch(/^# syntax=/m);
    expect(instructions[0]).toBe(`ARG NODE_IMAGE=node:${node}-bookworm-slim`);
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThan(1);
    for (const from of froms) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\}( AS \w+)?$/);
  });

  it('runs the CLI under tini, as the numeric user 1000, without NODE_OPTIONS', () => {
    expect(instructions).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli.js"]');
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends tini/);
    const users = instructions.filter((line) => line.startsWith('USER '));
    expect(users).toEqual(['USER 1000:1000']);
    expect(dockerfile).toMatch(/chown 1000:1000 \/data/);
    // The bin applies its own heap flags (src/heap-flags.ts); NODE_OPTIONS would turn them off.
    expect(dockerfile).not.toMatch(/^ENV[^\n]*NODE_OPTIONS/m);
  });

  it('sets HEALTH_PORT where its HEALTHCHECK reads it', () => {
    const env = instructions.findIndex((line) => line === 'ENV HEALTH_PORT=8080');
    const healthcheck = instructions.findIndex((line) => line.startsWith('HEALTHCHECK '));
    expect(env).toBeGreaterThan(-1);
    expect(healthcheck).toBe(env + 1);
    expect(instructions[healthcheck]).toContain("'http://127.0.0.1:' + process.env.HEALTH_PORT + '/healthz'");
  });

  it('gets a build context of exactly the files it copies (.dockerignore)', () => {
    const ignore = text('.dockerignore').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.slice(1).map((line) => {
      expect(line.startsWith('!'), line).toBe(true);
      return line.slice(1).replace(/\/$/, '');
    });
    const copied = instructions
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(new Set(allowed)).toEqual(new Set(copied));
  });
});
