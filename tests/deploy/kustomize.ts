// Renders a kustomization the way `kubectl apply -k` would, for exactly the kustomize features
// this repository's k8s/ uses (ADR 0017): resources (files and folders with a kustomization),
// namespace, images, patches (RFC 6902 operations, inline or from a file, targeted by kind and
// optional name) and configMapGenerator (files, without a name hash). Anything else in a
// kustomization is refused, so a manifest that starts using another feature fails the tests
// until the renderer learns it (or the repository gets a kustomize binary).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path?: string; patch?: string; target: { kind: string; name?: string } }[];
  configMapGenerator?: { name: string; files: string[]; options: { disableNameSuffixHash: true; labels?: Record<string, string> } }[];
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches', 'configMapGenerator']);
/** Kinds that have no namespace (the namespace transformer leaves them alone). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'IngressClass']);

export function readYamlObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

export function render(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parseYaml(readFileSync(file, 'utf8')) as Kustomization;
  for (const field of Object.keys(kustomization)) if (!KNOWN_FIELDS.has(field)) throw new Error(`${file}: the test renderer does not implement "${field}"`);

  let objects: K8sObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if (!existsSync(path)) throw new Error(`${file}: resource ${resource} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? render(path) : readYamlObjects(path)));
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    if (generator.options?.disableNameSuffixHash !== true) throw new Error(`${file}: configMapGenerator ${generator.name} needs disableNameSuffixHash: true here`);
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: generator.name, ...(generator.options.labels ? { labels: { ...generator.options.labels } } : {}) },
      data: Object.fromEntries(generator.files.map((f) => [basename(f), readFileSync(join(dir, f), 'utf8')])),
    });
  }
  if (kustomization.namespace) {
    for (const object of objects) {
      if (object.kind === 'Namespace') {
        if (object.metadata.name !== kustomization.namespace) throw new Error(`${file}: renaming Namespace ${object.metadata.name} is not implemented`);
      } else if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }
  for (const image of kustomization.images ?? []) for (const object of objects) setImage(object, image);
  for (const patch of kustomization.patches ?? []) {
    const operations = parseYaml(patch.patch ?? readFileSync(join(dir, patch.path!), 'utf8')) as Operation[];
    if (!Array.isArray(operations)) throw new Error(`${file}: only RFC 6902 (JSON patch) patches are implemented`);
    const targets = objects.filter((o) => o.kind === patch.target.kind && (patch.target.name === undefined || o.metadata.name === patch.target.name));
    if (targets.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(patch.target)} matches nothing`);
    objects = objects.map((o) => (targets.includes(o) ? applyPatch(o, operations) : o));
  }
  const ids = new Set<string>();
  for (const object of objects) {
    const id = `${object.apiVersion.split('/')[0]}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (ids.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    ids.add(id);
  }
  return objects;
}

function setImage(object: K8sObject, image: { name: string; newName?: string; newTag?: string }): void {
  const pod = object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'Job' ? object.spec?.template?.spec : undefined;
  for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    const [name, tag] = splitImage(container.image as string);
    if (name !== image.name) continue;
    container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ''}`;
  }
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

type Operation = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

function applyPatch(object: K8sObject, operations: Operation[]): K8sObject {
  const copy = structuredClone(object);
  for (const { op, path, value } of operations) {
    const keys = path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let parent: any = copy;
    for (const key of keys) {
      if (parent[key] === undefined && op === 'add') parent[key] = {};
      parent = parent[key];
      if (parent === undefined) throw new Error(`patch ${op} ${path}: ${key} does not exist in ${object.kind}/${object.metadata.name}`);
    }
    if (op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op === 'replace') {
      if (!(last in parent)) throw new Error(`patch replace ${path}: nothing to replace in ${object.kind}/${object.metadata.name}`);
      parent[last] = value;
    } else if (op === 'add') {
      if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, value);
      else parent[last] = value;
    } else throw new Error(`patch operation ${op as string} is not implemented`);
  }
  return copy;
}

export const overlayDir = (root: string, overlay: string) => join(root, 'k8s', 'overlays', overlay);
