/** deploy/k8s rendered as the cluster would receive it: `kustomize build`, or the one built into kubectl. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { requireTool } from '../../support/tools.js';
import { REPO_ROOT } from './repo.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

/**
 * `kustomize build`, or kubectl's built-in kustomize (kubectl >= 1.21 carries kustomize v4+; the base uses
 * `labels:`, which kustomize v2 in Debian's kubernetes-client 1.20 cannot read).
 */
function renderer(): (dir: string) => string {
  const { cmd } = requireTool(
    ['kustomize', 'kubectl'],
    "install kubectl >= 1.21 or kustomize to render deploy/k8s (Debian's kubernetes-client 1.20 is too old)",
  );
  return cmd === 'kustomize' ? (dir) => run(cmd, ['build', dir]) : (dir) => run(cmd, ['kustomize', dir]);
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/**
 * A kustomization made for a test: `base` (a folder under deploy/k8s) with `components` added in `namespace`, as
 * a user adds them to an overlay. Returns its absolute folder, a target for k8sObjects. Kustomize takes no absolute
 * folder, so the paths are relative from the temp folder.
 */
export function withComponents(base: string, components: readonly string[], namespace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cctap-kustomize-'));
  const rel = (p: string) => relative(dir, join(REPO_ROOT, 'deploy/k8s', p));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `namespace: ${namespace}`,
      'resources:',
      `  - ${rel(base)}`,
      'components:',
      ...components.map((c) => `  - ${rel(c)}`),
      '',
    ].join('\n'),
  );
  return dir;
}

/** The objects of deploy/k8s/<target> (base, overlays/dev, ...; or an absolute folder), rendered once per target. */
export function k8sObjects(): (target: string) => K8sObject[] {
  const render = renderer();
  const rendered = new Map<string, K8sObject[]>();
  return (t) => {
    if (!rendered.has(t)) {
      const docs = parseAllDocuments(render(isAbsolute(t) ? t : join(REPO_ROOT, 'deploy/k8s', t)));
      rendered.set(t, docs.map((d) => d.toJSON() as K8sObject).filter(Boolean));
    }
    return rendered.get(t)!;
  };
}
