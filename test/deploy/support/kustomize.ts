/** deploy/k8s rendered as the cluster would receive it: `kustomize build`, or the one built into kubectl. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
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

/** The objects of deploy/k8s/<target> (base, overlays/dev, ...), rendered once per target. */
export function k8sObjects(): (target: string) => K8sObject[] {
  const render = renderer();
  const rendered = new Map<string, K8sObject[]>();
  return (t) => {
    if (!rendered.has(t)) {
      const docs = parseAllDocuments(render(join(REPO_ROOT, 'deploy/k8s', t)));
      rendered.set(t, docs.map((d) => d.toJSON() as K8sObject).filter(Boolean));
    }
    return rendered.get(t)!;
  };
}
