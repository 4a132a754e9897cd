import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { parseAllDocuments } from 'yaml';

/** deploy/kubernetes, absolute, with a trailing slash. */
export const KUBERNETES_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

/** A Kubernetes object as read from a YAML document. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

/**
 * The schema of every kind the manifests use. A kind missing here fails the validation test, so a
 * new manifest cannot slip in unchecked.
 */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/**
 * Checks an object against the OpenAPI schema of its kind (kubernetes-models and the Prometheus
 * Operator's models): required fields, types and enums. These schemas accept unknown fields, so a
 * misspelt optional field passes; the tests check the fields that matter one by one.
 */
export function validateManifest(manifest: Manifest, source: string): void {
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) throw new Error(`${source}: no schema for ${manifest.apiVersion} ${manifest.kind}; add its model to MODELS`);
  try {
    new Model(manifest as never).validate();
  } catch (err) {
    throw new Error(`${source}: ${manifest.kind} ${manifest.metadata?.name} does not match its schema: ${(err as Error).message}`);
  }
}

/** Every YAML document of a file, as plain objects; a YAML error fails with the file's name. */
export async function readManifests(file: string): Promise<Manifest[]> {
  return parseYamlStream(await readFile(file, 'utf8'), file);
}

export function parseYamlStream(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as Manifest | null;
    return value === null ? [] : [value];
  });
}

/** One kustomization.yaml, with the paths it names made absolute. */
export interface Kustomization {
  readonly dir: string;
  readonly file: string;
  readonly kind: 'Kustomization' | 'Component';
  /** Manifest files it lists under `resources`. */
  readonly resourceFiles: readonly string[];
  /** Folders it lists under `resources` (bases) or `components`. */
  readonly folders: readonly string[];
  readonly configMapGenerator: ReadonlyArray<{ readonly name: string; readonly behavior?: string; readonly files: readonly string[] }>;
}

interface KustomizationYaml {
  kind?: string;
  resources?: string[];
  components?: string[];
  configMapGenerator?: Array<{ name: string; behavior?: string; files?: string[] }>;
}

/** The kustomization in `dir` and every one it reaches through `resources` and `components`, depth first. */
export async function kustomizationTree(dir: string, seen = new Set<string>()): Promise<Kustomization[]> {
  const root = resolve(dir);
  if (seen.has(root)) return [];
  seen.add(root);
  const file = join(root, 'kustomization.yaml');
  const [doc] = parseYamlStream(await readFile(file, 'utf8'), file) as unknown as KustomizationYaml[];
  if (!doc || (doc.kind !== 'Kustomization' && doc.kind !== 'Component')) throw new Error(`${file}: expected kind Kustomization or Component`);
  const resources = (doc.resources ?? []).map((r) => resolve(root, r));
  const resourceFiles = resources.filter((r) => /\.ya?ml$/.test(r));
  const folders = [...resources.filter((r) => !resourceFiles.includes(r)), ...(doc.components ?? []).map((c) => resolve(root, c))];
  const self: Kustomization = {
    dir: root,
    file,
    kind: doc.kind,
    resourceFiles,
    folders,
    configMapGenerator: (doc.configMapGenerator ?? []).map((g) => ({ ...g, files: (g.files ?? []).map((f) => resolve(root, f)) })),
  };
  const below: Kustomization[] = [];
  for (const folder of folders) below.push(...(await kustomizationTree(folder, seen)));
  return [self, ...below];
}

/** Every file under `dir`, absolute. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/**
 * `kubectl kustomize <dir>`: what `kubectl apply -k` would send, rendered offline. kubectl is part
 * of this machine kind's image (and so of CI's); Debian's own kubernetes-client (1.20) bundles a
 * kustomize too old for components, so there is no install step to fall back on.
 */
export async function kustomize(dir: string): Promise<Manifest[]> {
  try {
    const { stdout } = await promisify(execFile)('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
    return parseYamlStream(stdout, `kubectl kustomize ${dir}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('kubectl is not installed: these tests render the kustomizations with `kubectl kustomize`');
    throw err;
  }
}

/** The one object of that kind in a list (a second one, or none, fails). */
export function only<T = Manifest>(manifests: readonly Manifest[], kind: string): T {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  return found[0] as T;
}

/** A path under deploy/kubernetes, as a person would name it in a message. */
export function relativeToDeploy(path: string): string {
  return path.startsWith(KUBERNETES_DIR) ? path.slice(KUBERNETES_DIR.length) : path;
}
