/** The pods a rendered set of Kubernetes objects would run: each workload's pod template, with its owner. */
import type { K8sObject } from './kustomize.js';

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
  securityContext?: Record<string, unknown>;
}

export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}

export interface Workload {
  /** Kind/name, for messages. */
  owner: string;
  name: string;
  labels: Record<string, string>;
  pod: PodSpec;
}

interface Template {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}

/** Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and bare Pods, each with the pod it runs. */
export function workloads(objects: readonly K8sObject[]): Workload[] {
  const out: Workload[] = [];
  for (const o of objects) {
    const spec = o.spec as Record<string, unknown> | undefined;
    let template: Template | undefined;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind))
      template = spec?.template as Template;
    else if (o.kind === 'CronJob')
      template = (spec?.jobTemplate as { spec: { template: Template } } | undefined)?.spec.template;
    else if (o.kind === 'Pod')
      template = { metadata: { labels: o.metadata.labels ?? {} }, spec: o.spec as unknown as PodSpec };
    if (!template) continue;
    out.push({
      owner: `${o.kind}/${o.metadata.name}`,
      name: o.metadata.name,
      labels: template.metadata?.labels ?? {},
      pod: template.spec,
    });
  }
  return out;
}

/** Every container of a pod, init containers included. */
export const containersOf = (pod: PodSpec): Container[] => [...(pod.initContainers ?? []), ...pod.containers];
