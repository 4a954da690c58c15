/**
 * docker-compose.yml against the Compose Specification JSON Schema (vendored, see schemas/SOURCES.md), plus
 * the rules the schema cannot express: start order, healthchecks, local-only ports, files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { composeFile, interpolate } from './support/compose.js';
import { REPO_ROOT } from './support/repo.js';

const compose = composeFile();
const services = compose.services;

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    // The file names draft-07 by its https URL, which ajv registers under http: drop the pointer, ajv's default is draft-07.
    const { $schema: _draft, ...schema } = JSON.parse(
      readFileSync(join(REPO_ROOT, 'test/deploy/schemas/compose-spec.json'), 'utf8'),
    ) as Record<string, unknown>;
    // Formats ('duration', ...) are Compose's own; the structure is what we check.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(ajv.errorsText(validate.errors, { separator: '\n' }), 'schema errors').toBe('No errors');
    expect(ok).toBe(true);
    // ...and it bites: a misspelt key and a wrong type are rejected.
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.sink!.helthcheck = {};
    broken.services.nats!.ports = 4222;
    expect(validate(broken)).toBe(false);
  });

  it('runs the pipeline services with their commands and the one-shot jobs first', () => {
    for (const name of ['validator', 'analyzer', 'alerter', 'sink']) {
      expect(services[name]?.command, name).toEqual([name]);
      expect(services[name]?.depends_on?.provision?.condition, name).toBe('service_completed_successfully');
      expect(services[name]?.restart, name).toBe('unless-stopped');
    }
    expect(services.sink?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.provision?.command).toEqual(['provision']);
    expect(services.provision?.depends_on?.nats?.condition).toBe('service_healthy');
    expect(services.migrate?.command).toEqual(['migrate']);
    expect(services.migrate?.depends_on?.clickhouse?.condition).toBe('service_healthy');
  });

  it('has a healthcheck on every long-running service and only valid depends_on targets', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {}))
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
      for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
        if (d.condition === 'service_healthy')
          expect(services[dep]?.healthcheck, `${dep} needs a healthcheck for ${name}`).toBeDefined();
      }
      const oneShot = s.restart === 'no';
      // The exporter image is distroless (no shell, no wget): Prometheus' `up` is its health.
      if (!oneShot && name !== 'nats-exporter') expect(s.healthcheck, `${name} healthcheck`).toBeDefined();
    }
  });

  it('uses the real images: NATS >= 2.10 (alpine, for the healthcheck) and a ClickHouse LTS', () => {
    expect(services.nats?.image).toMatch(/^nats:2\.(1\d)(\.\d+)?-alpine$/);
    expect(services.clickhouse?.image).toMatch(/^clickhouse\/clickhouse-server:(\d+)\.(3|8)(\.[\d.]+)?$/);
    expect(services.validator?.build?.target).toBe('central');
    expect(services.collector?.build?.target).toBe('collector');
    expect(services.collector?.profiles).toEqual(['collector']);
    expect(services.collector?.volumes?.some((v) => /\.claude\}?:\/claude:ro$/.test(v))).toBe(true);
  });

  it('publishes ports on 127.0.0.1 only (NATS: unless CCTAP_BIND says otherwise)', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) expect(interpolate(p), `${name} ${p}`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('mounts only files and directories that exist in the repository', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const src = interpolate(v).split(':')[0]!;
        if (!src.startsWith('./')) continue; // named volumes and the host's ~/.claude
        expect(existsSync(join(REPO_ROOT, src)), `${name}: ${src}`).toBe(true);
      }
    }
    expect(existsSync(join(REPO_ROOT, 'deploy/docker/Dockerfile'))).toBe(true);
  });

  it('interpolates as Compose does (the check can fail)', () => {
    const env = { A: 'a', EMPTY: '' };
    expect(interpolate('${A:+x/${B:-b}.y}|${EMPTY:+no}|${EMPTY-kept}|${EMPTY:-d}|$${A}', env)).toBe('x/b.y|||d|${A}');
    expect(() => interpolate('${B:?needed}', env)).toThrow(/needed/);
  });

  it('gives the collector its host credential when NATS auth is on, and no config file without it', () => {
    const collector = services.collector!;
    const mountOf = (env: Record<string, string>, target: string) =>
      collector.volumes!.map((v) => interpolate(v, env).split(':')).find(([, t]) => t === target)?.[0];
    // Default: no auth, no config file; the mounted folder exists and holds no credential.
    expect(interpolate(collector.environment!.CCTAP_CONFIG!, {})).toBe('');
    expect(mountOf({}, '/auth/hosts')).toBe('./deploy/nats/no-auth/hosts');
    // Auth on: the file `cctap nats-config` wrote for CCTAP_HOST, inside the mounted hosts folder, and the
    // collector runs as that host.
    const env = { CCTAP_NATS_AUTH_DIR: './deploy/nats/auth', CCTAP_HOST: 'alice-mbp' };
    expect(interpolate(collector.environment!.CCTAP_CONFIG!, env)).toBe('/auth/hosts/alice-mbp.yaml');
    expect(mountOf(env, '/auth/hosts')).toBe('./deploy/nats/auth/hosts');
    const args = collector.command!.map((a) => interpolate(a, env));
    expect(args[args.indexOf('--host') + 1]).toBe('alice-mbp');
    // Only the host files: never credentials.json or the services' passwords.
    expect(collector.volumes!.filter((v) => v.includes('CCTAP_NATS_AUTH_DIR'))).toHaveLength(1);
  });
});

describe('deploy/docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'deploy/docker/Dockerfile'), 'utf8');

  it('builds with the classic builder, offline: no frontend directive and no BuildKit-only instruction', () => {
    // A `# syntax=` parser directive makes BuildKit pull that frontend image before anything else.
    const directives = dockerfile.split('\n').filter((l) => /^#\s*(syntax|check)\s*=/i.test(l));
    expect(directives).toEqual([]);
    // Instructions only BuildKit understands: cache/secret/ssh mounts, COPY --link/--parents, heredocs.
    const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n');
    const buildkitOnly = instructions.filter(
      (l) =>
        /^\s*RUN\s+.*--(mount|network|security)=/.test(l) ||
        /^\s*(COPY|ADD)\s.*--(link|parents|exclude)\b/.test(l) ||
        /<<-?\s*['"]?[A-Z]+/.test(l),
    );
    expect(buildkitOnly).toEqual([]);
  });
});
