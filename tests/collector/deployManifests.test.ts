/**
 * No container engine or cluster here: the manifests in deploy/ are parsed, and
 * every port, path, variable and probe they name is checked against the code —
 * the receiver's option table, and a real receiver started with the manifests'
 * own environment (against a real Redis).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { RECEIVER_ENVIRONMENT, readReceiverConfig } from '../../collector/receiverConfig.js';
import { startReceiver, type Receiver } from '../../collector/startReceiver.js';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const deploy = fileURLToPath(new URL('../../deploy/', import.meta.url));
const read = (file: string) => readFileSync(`${deploy}${file}`, 'utf8');

type Doc = Record<string, any>;
const k8s = (file: string): Doc[] => parseAllDocuments(read(`k8s/${file}`)).map((doc) => doc.toJS() as Doc);
const all = [...k8s('receiver.yaml'), ...k8s('redis.yaml'), ...k8s('collector.yaml')];
const kind = (k: string, name: string) => all.find((doc) => doc.kind === k && doc.metadata.name === name)!;
// Compose's x-receiver anchor is spliced in with a YAML merge key, as Compose does.
const compose = parse(read('compose.yaml'), { merge: true }) as Doc;
const collector = parse(read('otel-collector-loadbalancing.yaml')) as Doc;

const receiverDeployment = kind('Deployment', 'aaep-otel-receiver');
const receiverContainer = receiverDeployment.spec.template.spec.containers[0];
const k8sEnv = Object.fromEntries((receiverContainer.env as Doc[]).filter((e) => 'value' in e).map((e) => [e.name as string, String(e.value)]));
const k8sEnvNames = (receiverContainer.env as Doc[]).map((e) => e.name as string);
const composeEnv = compose.services['receiver-a'].environment as Record<string, string>;
const portNamed = (name: string) => (receiverContainer.ports as Doc[]).find((p) => p.name === name)!.containerPort as number;

let redis: RedisServer;
let receiver: Receiver;
beforeAll(async () => {
  redis = await startRedisServer();
  // The Kubernetes container's environment, with ports and Redis of this machine.
  const config = readReceiverConfig(['--host', '127.0.0.1', '--port', '0', '--grpc-port', '0', '--hub-url', redis.url], { ...k8sEnv, AAEP_TOKEN: 'manifest-token' });
  if (config === 'help') throw new Error('unreachable');
  receiver = await startReceiver(config);
  await receiver.backend.ready();
});
afterAll(async () => {
  await receiver?.close();
  await redis?.stop();
});

describe('the deployment manifests', () => {
  it('set only environment variables the receiver reads, the same in Compose and Kubernetes', () => {
    for (const name of [...k8sEnvNames, ...Object.keys(composeEnv)]) expect(RECEIVER_ENVIRONMENT).toContain(name);
    expect(new Set(Object.keys(composeEnv))).toEqual(new Set(k8sEnvNames.filter((name) => name !== 'AAEP_RETENTION_EVENTS')));
    for (const name of ['AAEP_RECEIVER_PORT', 'AAEP_RECEIVER_GRPC_PORT']) expect(composeEnv[name]).toBe(k8sEnv[name]);
  });

  it('give a valid receiver configuration, with gRPC on and the hub on Redis', () => {
    const config = readReceiverConfig([], { ...k8sEnv, AAEP_TOKEN: 'x' });
    if (config === 'help') throw new Error('unreachable');
    expect(config.grpcPort).toBe(4321);
    expect(config.hubUrl).toBe('redis://aaep-otel-redis:6379');
    const fromCompose = readReceiverConfig([], composeEnv);
    if (fromCompose === 'help') throw new Error('unreachable');
    expect(fromCompose.hubUrl).toBe('redis://redis:6379');
  });

  it('expose the ports the receiver listens on, and point Redis URLs at the Redis they define', () => {
    expect(portNamed('http')).toBe(Number(k8sEnv.AAEP_RECEIVER_PORT));
    expect(portNamed('otlp-grpc')).toBe(Number(k8sEnv.AAEP_RECEIVER_GRPC_PORT));
    const redisService = kind('Service', 'aaep-otel-redis');
    const hub = new URL(k8sEnv.AAEP_HUB_URL!);
    expect(hub.hostname).toBe(redisService.metadata.name);
    expect(Number(hub.port)).toBe(redisService.spec.ports[0].port);
    const composeHub = new URL(composeEnv.AAEP_HUB_URL!);
    expect(Object.keys(compose.services)).toContain(composeHub.hostname);
    expect(compose.services.redis.command).toContain(composeHub.port);
    expect(compose.services['receiver-a'].depends_on).toHaveProperty('redis');
    for (const name of ['receiver-a', 'receiver-b']) expect(compose.services[name].ports[0]).toMatch(new RegExp(`:${composeEnv.AAEP_RECEIVER_PORT}$`));
  });

  it('probe paths that answer on a real receiver: /healthz alive, /readyz ready only with Redis', async () => {
    const probes = { liveness: receiverContainer.livenessProbe.httpGet, readiness: receiverContainer.readinessProbe.httpGet };
    expect(probes.liveness).toEqual({ path: '/healthz', port: 'http' });
    expect(probes.readiness).toEqual({ path: '/readyz', port: 'http' });
    const composeProbe = (compose.services['receiver-a'].healthcheck.test as string[]).join(' ');
    expect(composeProbe).toContain(`:${composeEnv.AAEP_RECEIVER_PORT}/readyz`);
    for (const { path } of Object.values(probes)) expect((await fetch(`${receiver.url}${path}`)).status).toBe(200);
    await redis.kill();
    await expect.poll(async () => (await fetch(`${receiver.url}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    expect((await fetch(`${receiver.url}/healthz`)).status).toBe(200);
    await redis.restart();
    await expect.poll(async () => (await fetch(`${receiver.url}/readyz`)).status, { timeout: 10_000 }).toBe(200);
  });

  it('route traces by trace id to every receiver’s gRPC port through the headless Service', () => {
    const exporter = collector.exporters['loadbalancing/aaep'];
    expect(exporter.routing_key).toBe('traceID');
    expect(exporter.protocol.otlp.headers.authorization).toBe('Bearer ${env:AAEP_INGEST_TOKEN}');
    expect(Number(exporter.resolver.dns.port)).toBe(Number(k8sEnv.AAEP_RECEIVER_GRPC_PORT));
    expect(exporter.resolver.dns.hostname).toBe('${env:RECEIVERS_DNS_NAME}');
    expect(collector.service.pipelines['traces/aaep'].exporters).toEqual(['loadbalancing/aaep']);

    const headless = kind('Service', 'aaep-otel-receiver-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(receiverDeployment.spec.selector.matchLabels);
    expect(headless.spec.ports[0]).toMatchObject({ port: portNamed('otlp-grpc'), targetPort: 'otlp-grpc' });
    const collectorEnv = kind('Deployment', 'aaep-otel-collector').spec.template.spec.containers[0].env as Doc[];
    expect(collectorEnv.find((e) => e.name === 'RECEIVERS_DNS_NAME')?.value).toBe(headless.metadata.name);
    // In Compose, both receivers carry the network alias the resolver asks for.
    const alias = compose.services['otel-collector'].environment.RECEIVERS_DNS_NAME;
    for (const name of ['receiver-a', 'receiver-b']) expect(compose.services[name].networks.default.aliases).toContain(alias);
    expect(compose.services['otel-collector'].volumes[0]).toMatch(/^\.\/otel-collector-loadbalancing\.yaml:/);
  });

  it('take the token from a Secret, never from the manifest, and bound every container', () => {
    for (const deployment of all.filter((doc) => doc.kind === 'Deployment')) {
      for (const container of deployment.spec.template.spec.containers as Doc[]) {
        expect(container.resources.limits.cpu).toBeDefined();
        expect(container.resources.limits.memory).toBeDefined();
        for (const [name, key] of [['AAEP_TOKEN', 'token'], ['AAEP_INGEST_TOKEN', 'ingest-token']] as const) {
          const token = (container.env as Doc[] | undefined)?.find((e) => e.name === name);
          if (token !== undefined) expect(token).toEqual({ name, valueFrom: { secretKeyRef: { name: 'aaep-otel', key } } });
        }
      }
    }
    expect(composeEnv.AAEP_TOKEN).toMatch(/^\$\{AAEP_TOKEN:\?/);
    expect(composeEnv.AAEP_INGEST_TOKEN).toMatch(/^\$\{AAEP_INGEST_TOKEN:\?/);
    // The Collector holds only the ingest token, never the listeners' token.
    expect(Object.keys(compose.services['otel-collector'].environment)).not.toContain('AAEP_TOKEN');
  });

  it('list in the kustomization only files that exist', () => {
    const kustomization = parse(read('kustomization.yaml')) as Doc;
    for (const file of kustomization.resources as string[]) expect(existsSync(`${deploy}${file}`)).toBe(true);
    const [generated] = kustomization.configMapGenerator as Doc[];
    expect(generated!.name).toBe(kind('Deployment', 'aaep-otel-collector').spec.template.spec.volumes[0].configMap.name);
    for (const entry of generated!.files as string[]) expect(existsSync(`${deploy}${entry.split('=').at(-1)}`)).toBe(true);
  });
});
