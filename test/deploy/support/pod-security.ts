/**
 * The Pod Security Standard "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards), as the
 * API server's admission checks it, plus what cctap asks beyond it: explicit user and group ids, a read-only
 * root filesystem. Returns what a pod breaks, one line each; an empty list is a pass.
 */
import { containersOf, type PodSpec } from './workloads.js';

const ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

type Ctx = {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  fsGroup?: number;
};

export function restrictedViolations(pod: PodSpec): string[] {
  const out: string[] = [];
  const podCtx = (pod.securityContext ?? {}) as Ctx;
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces');
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUMES.includes(type)) out.push(`volume ${v.name}: type ${type ?? '?'} not allowed`);
  }
  if (podCtx.runAsUser === 0) out.push('pod runAsUser 0');
  if (podCtx.fsGroup === undefined) out.push('pod: no fsGroup');
  for (const c of containersOf(pod)) {
    const ctx = (c.securityContext ?? {}) as Ctx;
    const at = `container ${c.name}`;
    if (ctx.privileged) out.push(`${at}: privileged`);
    if (ctx.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if ((ctx.runAsNonRoot ?? podCtx.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot is not true`);
    const uid = ctx.runAsUser ?? podCtx.runAsUser;
    if (uid === undefined || uid === 0) out.push(`${at}: runAsUser ${uid ?? 'unset'}`);
    const seccomp = (ctx.seccompProfile ?? podCtx.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      out.push(`${at}: seccompProfile ${seccomp ?? 'unset'}`);
    if (!ctx.capabilities?.drop?.includes('ALL')) out.push(`${at}: capabilities not dropped (ALL)`);
    const added = (ctx.capabilities?.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE');
    if (added.length > 0) out.push(`${at}: adds capabilities ${added.join(', ')}`);
    if (ctx.readOnlyRootFilesystem !== true) out.push(`${at}: root filesystem is writable`);
  }
  return out;
}
