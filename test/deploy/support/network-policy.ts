/**
 * NetworkPolicy semantics (kubernetes.io/docs/concepts/services-networking/network-policies) for the policies of
 * one namespace: whether a connection from one endpoint to another on a port is let out by the source's egress
 * policies and in by the destination's ingress policies. Ports are numbers (the policies here name none).
 */
import type { K8sObject } from './kustomize.js';

type Labels = Record<string, string>;

interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: { port?: number | string; protocol?: string }[];
}

interface PolicySpec {
  podSelector: Selector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: Rule[];
  egress?: Rule[];
}

/** A pod (in the policies' namespace, or another with its labels) or an address outside the cluster. */
export type Endpoint =
  { kind: 'pod'; labels: Labels; namespace: 'own' | { labels: Labels } } | { kind: 'ip'; ip: string };

function matches(sel: Selector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(labels[e.key]!)
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(labels[e.key]!)
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

function ipv4(ip: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? m.slice(1).reduce((n, o) => n * 256 + Number(o), 0) : null;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/') as [string, string];
  const [a, b] = [ipv4(ip), ipv4(net)];
  if (a === null || b === null) return false; // the tests speak IPv4; an IPv6 block matches no IPv4 address
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
}

export class NetworkPolicies {
  private readonly specs: PolicySpec[];

  /** `ownNamespace`: the labels of the namespace the objects are applied in. */
  constructor(
    objects: readonly K8sObject[],
    private readonly ownNamespace: Labels,
  ) {
    this.specs = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.spec as unknown as PolicySpec);
  }

  private peerMatches(peer: Peer, e: Endpoint): boolean {
    if (peer.ipBlock) {
      if (e.kind !== 'ip') return false;
      return inCidr(e.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x) => inCidr(e.ip, x));
    }
    if (e.kind !== 'pod') return false;
    const nsLabels = e.namespace === 'own' ? this.ownNamespace : e.namespace.labels;
    if (peer.namespaceSelector ? !matches(peer.namespaceSelector, nsLabels) : e.namespace !== 'own') return false;
    return peer.podSelector ? matches(peer.podSelector, e.labels) : true;
  }

  private admits(rules: Rule[], side: 'to' | 'from', other: Endpoint, port: number, protocol: string): boolean {
    return rules.some((r) => {
      const peers = r[side];
      const peerOk = !peers || peers.length === 0 || peers.some((p) => this.peerMatches(p, other));
      const portOk =
        !r.ports ||
        r.ports.length === 0 ||
        r.ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));
      return peerOk && portOk;
    });
  }

  /** Policies of `type` that select a pod with `labels`: none means the pod is not isolated that way. */
  isolating(labels: Labels, type: 'Ingress' | 'Egress'): PolicySpec[] {
    return this.specs.filter((s) => matches(s.podSelector, labels) && (s.policyTypes ?? ['Ingress']).includes(type));
  }

  /** A connection from a pod of this namespace (`fromLabels`) to `to` on `port`/`protocol`. */
  allows(fromLabels: Labels, to: Endpoint, port: number, protocol = 'TCP'): boolean {
    const egress = this.isolating(fromLabels, 'Egress');
    const out = egress.length === 0 || egress.some((s) => this.admits(s.egress ?? [], 'to', to, port, protocol));
    if (!out) return false;
    if (to.kind !== 'pod' || to.namespace !== 'own') return true; // other namespaces' policies are not ours
    const ingress = this.isolating(to.labels, 'Ingress');
    const from: Endpoint = { kind: 'pod', labels: fromLabels, namespace: 'own' };
    return ingress.length === 0 || ingress.some((s) => this.admits(s.ingress ?? [], 'from', from, port, protocol));
  }

  /** A connection into a pod of this namespace from a pod of another namespace (or an address). */
  admitsIngress(toLabels: Labels, from: Endpoint, port: number, protocol = 'TCP'): boolean {
    const ingress = this.isolating(toLabels, 'Ingress');
    return ingress.length === 0 || ingress.some((s) => this.admits(s.ingress ?? [], 'from', from, port, protocol));
  }
}
