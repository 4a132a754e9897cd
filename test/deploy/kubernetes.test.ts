import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IContainer, ISecret, IService } from 'kubernetes-models/v1';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV, type Env } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { DEFAULT_READY_TIMEOUT_MS, ROUTES } from '../../src/http/server.js';
import {
  filesUnder, KUBERNETES_DIR, kustomizationTree, kustomize, only, readManifests, relativeToDeploy, validateManifest,
  type Kustomization, type Manifest,
} from '../support/kubernetes-manifests.js';

const BASE = join(KUBERNETES_DIR, 'base');
const SERVICE_MONITOR = join(KUBERNETES_DIR, 'components', 'service-monitor');
const OVERLAY = join(KUBERNETES_DIR, 'overlays', 'example');
const SECRET_EXAMPLE = join(KUBERNETES_DIR, 'secret.example.yaml');
/** The kustomizations a user applies or includes; everything else must be reachable from them. */
const ENTRY_POINTS = [BASE, SERVICE_MONITOR, OVERLAY];

interface Source {
  readonly kustomizations: Kustomization[];
  /** Every object of every manifest file the kustomizations list, with its file. */
  readonly manifests: Array<{ file: string; manifest: Manifest }>;
}

async function load(dir: string): Promise<Source> {
  const kustomizations = await kustomizationTree(dir);
  const manifests: Source['manifests'] = [];
  for (const file of kustomizations.flatMap((k) => k.resourceFiles)) {
    for (const manifest of await readManifests(file)) manifests.push({ file, manifest });
  }
  return { kustomizations, manifests };
}

/** The config file a kustomization's generator puts in the config ConfigMap. */
async function generatedConfig(source: Source, configMapName: string): Promise<unknown> {
  const generators = source.kustomizations.flatMap((k) => k.configMapGenerator).filter((g) => g.name === configMapName);
  // An overlay's `behavior: replace` generator stands in for the base's.
  const generator = generators.find((g) => g.behavior === 'replace') ?? generators[0];
  const file = generator?.files.find((f) => basename(f) === 'config.json');
  if (!file) throw new Error(`no configMapGenerator named ${configMapName} with a config.json`);
  return JSON.parse(await readFile(file, 'utf8'));
}

function container(deployment: IDeployment): IContainer {
  const containers = deployment.spec!.template.spec!.containers;
  expect(containers).toHaveLength(1);
  return containers[0]!;
}

/** The environment the container gets, with the Secret's values taken from the example Secret. */
function podEnv(deployment: IDeployment, secret: ISecret): Env {
  const env: Record<string, string> = {};
  for (const variable of container(deployment).env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) {
      expect(ref.name, `${variable.name} comes from the Secret`).toBe(secret.metadata!.name);
      const value = secret.stringData?.[ref.key];
      if (value !== undefined) env[variable.name] = value;
    } else {
      expect(variable.value, `${variable.name} has a plain value or a secretKeyRef`).toBeTypeOf('string');
      env[variable.name] = variable.value!;
    }
  }
  return env;
}

describe('deploy/kubernetes: the files', () => {
  it('lists every file in a kustomization, except the Secret example', async () => {
    const listed = new Set<string>([SECRET_EXAMPLE]);
    for (const dir of ENTRY_POINTS) {
      for (const k of await kustomizationTree(dir)) {
        listed.add(k.file);
        for (const f of [...k.resourceFiles, ...k.configMapGenerator.flatMap((g) => g.files)]) listed.add(f);
      }
    }
    const unlisted = (await filesUnder(KUBERNETES_DIR)).filter((f) => !listed.has(f)).map(relativeToDeploy);
    expect(unlisted).toEqual([]);
  });

  it('validates every manifest, and the Secret example, against the Kubernetes and Prometheus Operator schemas', async () => {
    const checked: string[] = [];
    for (const dir of ENTRY_POINTS) {
      for (const { file, manifest } of (await load(dir)).manifests) {
        validateManifest(manifest, relativeToDeploy(file));
        checked.push(`${manifest.kind}/${manifest.metadata.name}`);
      }
    }
    for (const manifest of await readManifests(SECRET_EXAMPLE)) validateManifest(manifest, 'secret.example.yaml');
    expect(new Set(checked)).toEqual(new Set([
      'Deployment/workos-events-sync', 'Service/workos-events-sync', 'PodDisruptionBudget/workos-events-sync',
      'ServiceMonitor/workos-events-sync', 'Ingress/workos-events-sync',
    ]));
  });

  it('keeps the base to built-in kinds, so that it applies on a cluster without the Prometheus Operator', async () => {
    const groups = (await load(BASE)).manifests.map(({ manifest }) => manifest.apiVersion);
    expect(groups.every((v) => ['v1', 'apps/v1', 'policy/v1'].includes(v))).toBe(true);
  });
});

describe('deploy/kubernetes/base against the code', () => {
  let deployment: IDeployment;
  let service: IService;
  let pdb: IPodDisruptionBudget;
  let secret: ISecret;
  let config: Config;
  let raw: unknown;

  beforeAll(async () => {
    const base = await load(BASE);
    const manifests = base.manifests.map((m) => m.manifest);
    deployment = only<IDeployment>(manifests, 'Deployment');
    service = only<IService>(manifests, 'Service');
    pdb = only<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget');
    secret = only<ISecret>(await readManifests(SECRET_EXAMPLE), 'Secret');
    const configMap = deployment.spec!.template.spec!.volumes!.find((v) => v.configMap)!.configMap!.name!;
    raw = await generatedConfig(base, configMap);
    config = parseConfig(raw, podEnv(deployment, secret));
  });

  it('passes the daemon\'s own config validation with the environment the pod gets', () => {
    // parseConfig threw in beforeAll otherwise, listing every problem with its path.
    expect(config.sinks.length).toBeGreaterThan(0);
  });

  it('keeps the cursor and the lease in Redis and writes no local file, since two replicas run', () => {
    expect(deployment.spec!.replicas).toBe(2);
    expect(config.cursor.store).toBe('redis');
    expect(config.leader.enabled).toBe(true);
    expect(config.rateLimit.shared).toBe(true);
    expect(config.sinks.map((s) => s.type)).not.toContain('jsonl');
  });

  it('exposes the port the config\'s http.port names, which is also the daemon\'s default', () => {
    const ports = container(deployment).ports!;
    expect(ports).toEqual([{ name: 'http', containerPort: config.http.port, protocol: 'TCP' }]);
    expect(config.http.port).toBe(configSchema.parse({ sinks: [{ type: 'stdout' }] }).http.port);
    expect(config.http.enabled).toBe(true);
    // The kubelet probes the pod's address, not loopback.
    expect(config.http.host).toBe('0.0.0.0');
  });

  it('probes paths the HTTP server serves: /healthz for startup and liveness, /readyz for readiness', () => {
    const c = container(deployment);
    expect(c.startupProbe?.httpGet).toEqual({ path: ROUTES.health, port: 'http' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: ROUTES.health, port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: ROUTES.ready, port: 'http' });
  });

  it('gives the readiness probe longer than the server takes to answer 503 on its own', () => {
    expect(container(deployment).readinessProbe!.timeoutSeconds! * 1000).toBeGreaterThan(DEFAULT_READY_TIMEOUT_MS);
  });

  it('sets only environment variables that the daemon reads', () => {
    const names = (container(deployment).env ?? []).map((e) => e.name);
    const known: readonly string[] = Object.values(ENV);
    expect(names.filter((n) => !known.includes(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining([ENV.apiKey, ENV.redisUrl, ENV.configPath, ENV.webhookSecret]));
  });

  it('mounts the ConfigMap where WORKOS_EVENTS_SYNC_CONFIG points', () => {
    const path = container(deployment).env!.find((e) => e.name === ENV.configPath)!.value!;
    const mount = container(deployment).volumeMounts!.find((m) => m.name === 'config')!;
    expect(join(mount.mountPath, 'config.json')).toBe(path);
    expect(mount.readOnly).toBe(true);
  });

  it('gives the page in flight its shutdownGraceMs, and more, before the kubelet kills the pod', () => {
    // The grace covers the page in flight; closing the HTTP server, the sinks and Redis comes after it.
    const graceMs = deployment.spec!.template.spec!.terminationGracePeriodSeconds! * 1000;
    expect(graceMs).toBeGreaterThanOrEqual(config.shutdownGraceMs + 10_000);
  });

  it('stops an old replica only once the new one has had two lease rounds to read the cursor', () => {
    expect(deployment.spec!.strategy?.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(deployment.spec!.minReadySeconds! * 1000).toBeGreaterThanOrEqual(2 * config.leader.renewIntervalMs);
  });

  it('runs as uid 1000 without privileges, on a read-only root filesystem with /data and /tmp writable', () => {
    const pod = deployment.spec!.template.spec!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(deployment).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    const writable = container(deployment).volumeMounts!.filter((m) => !m.readOnly);
    expect(writable.map((m) => m.mountPath).sort()).toEqual(['/data', '/tmp']);
    for (const mount of writable) expect(pod.volumes!.find((v) => v.name === mount.name)?.emptyDir).toBeDefined();
  });

  it('keeps the image\'s entrypoint and runs the run command', async () => {
    const c = container(deployment);
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['run']);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(c.image).toBe(`workos-events-sync:${pkg.version}`);
  });

  it('asks for memory above the measured peak RSS and limits it below the node\'s reach', () => {
    const { requests, limits } = container(deployment).resources!;
    const mib = (q: string | number | undefined) => Number(String(q).replace(/Mi$/, ''));
    // bench/README.md: 165 MB (157 MiB) at the highest measured peak, reconcile of 100,000 users.
    expect(mib(requests?.memory)).toBeGreaterThan(157);
    expect(mib(limits?.memory)).toBeGreaterThanOrEqual(2 * mib(requests?.memory));
    expect(requests?.cpu).toBeDefined();
    expect(limits?.cpu).toBeDefined();
  });

  it('has a Service that selects the pods and targets their named port', () => {
    const podLabels = deployment.spec!.template.metadata!.labels!;
    expect(podLabels).toMatchObject(deployment.spec!.selector.matchLabels!);
    expect(podLabels).toMatchObject(service.spec!.selector!);
    expect(deployment.spec!.selector.matchLabels).toEqual(service.spec!.selector);
    expect(service.spec!.ports).toEqual([{ name: 'http', port: config.http.port, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('has a PodDisruptionBudget whose selector is the Deployment\'s', () => {
    expect(pdb.spec!.selector).toEqual(deployment.spec!.selector);
    expect(deployment.spec!.template.metadata!.labels).toMatchObject(pdb.spec!.selector!.matchLabels!);
    expect(pdb.spec!.maxUnavailable).toBe(1);
  });

  it('has a Secret example with every key the Deployment reads, each a placeholder to replace', () => {
    const keys = (container(deployment).env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.key] : []));
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([...keys].sort());
    for (const value of Object.values(secret.stringData ?? {})) expect(value).toMatch(/REPLACE_ME/);
    // Without the key or Redis the pod must not start at all (CreateContainerConfigError says why);
    // without the webhook secret it only polls.
    const optional = (container(deployment).env ?? []).filter((e) => e.valueFrom?.secretKeyRef?.optional).map((e) => e.name);
    expect(optional).toEqual([ENV.webhookSecret]);
  });
});

describe('deploy/kubernetes/components/service-monitor', () => {
  it('scrapes /metrics on the Service\'s named port, selecting the base\'s Service', async () => {
    const monitor = only<IServiceMonitor>((await load(SERVICE_MONITOR)).manifests.map((m) => m.manifest), 'ServiceMonitor');
    const service = only<IService>((await load(BASE)).manifests.map((m) => m.manifest), 'Service');
    expect(monitor.spec.endpoints).toHaveLength(1);
    expect(monitor.spec.endpoints![0]).toMatchObject({ port: service.spec!.ports![0]!.name, path: ROUTES.metrics });
    expect(service.metadata!.labels).toMatchObject(monitor.spec.selector.matchLabels!);
  });
});

describe('deploy/kubernetes/overlays/example', () => {
  it('replaces the config with one that passes validation, and routes only its webhook path to the Service', async () => {
    const overlay = await load(OVERLAY);
    const manifests = overlay.manifests.map((m) => m.manifest);
    const deployment = only<IDeployment>(manifests, 'Deployment');
    const secret = only<ISecret>(await readManifests(SECRET_EXAMPLE), 'Secret');
    const config = parseConfig(await generatedConfig(overlay, 'workos-events-sync-config'), podEnv(deployment, secret));

    const ingress = only<IIngress>(manifests, 'Ingress');
    const paths = ingress.spec!.rules!.flatMap((r) => r.http!.paths);
    expect(paths.map((p) => [p.path, p.pathType])).toEqual([[config.webhook.path, 'Exact']]);
    const service = only<IService>(manifests, 'Service');
    expect(paths[0]!.backend.service).toEqual({ name: service.metadata!.name, port: { name: service.spec!.ports![0]!.name } });
    // Behind the ingress controller, the client address is one hop from the right of X-Forwarded-For.
    expect(config.webhook.trustedProxyHops).toBe(1);
  });
});

describe('kubectl kustomize', () => {
  it('renders the base into the same objects, the Deployment mounting the generated ConfigMap', async () => {
    const rendered = await kustomize(BASE);
    for (const manifest of rendered) validateManifest(manifest, 'kubectl kustomize base');
    const configMap = only<IConfigMap>(rendered, 'ConfigMap');
    expect(configMap.metadata!.name).toMatch(/^workos-events-sync-config-[a-z0-9]{10}$/);
    const deployment = only<IDeployment>(rendered, 'Deployment');
    const volume = deployment.spec!.template.spec!.volumes!.find((v) => v.name === 'config')!;
    expect(volume.configMap!.name).toBe(configMap.metadata!.name);
    expect(configMap.data!['config.json']).toBe(await readFile(join(BASE, 'config.json'), 'utf8'));
    const files = (await load(BASE)).manifests.map(({ manifest }) => `${manifest.kind}/${manifest.metadata.name}`);
    expect(rendered.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([...files, `ConfigMap/${configMap.metadata!.name}`].sort());
  });

  it('renders the overlay with its namespace, image, config, Ingress and ServiceMonitor', async () => {
    const rendered = await kustomize(OVERLAY);
    for (const manifest of rendered) validateManifest(manifest, 'kubectl kustomize overlays/example');
    expect(rendered.map((m) => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Ingress', 'PodDisruptionBudget', 'Service', 'ServiceMonitor']);
    for (const manifest of rendered) expect((manifest.metadata as { namespace?: string }).namespace).toBe('workos-events-sync');
    const configMap = only<IConfigMap>(rendered, 'ConfigMap');
    expect(configMap.data!['config.json']).toBe(await readFile(join(OVERLAY, 'config.json'), 'utf8'));
    const deployment = only<IDeployment>(rendered, 'Deployment');
    expect(deployment.spec!.template.spec!.volumes!.find((v) => v.name === 'config')!.configMap!.name).toBe(configMap.metadata!.name);
    expect(container(deployment).image).toMatch(/^registry\.example\.com\/platform\/workos-events-sync:/);
    expect(only<IServiceMonitor>(rendered, 'ServiceMonitor').metadata!.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });
});
