import type { EventHub } from './EventHub.js';
import type { HubBackend } from './HubBackend.js';
import { MemoryHubBackend } from './MemoryHubBackend.js';
import { RedisHubBackend, type RedisHubOptions } from './RedisHubBackend.js';

export interface HubBackendOptions extends Omit<RedisHubOptions, 'url'> {
  /** redis://… to share the hub with other instances (`AAEP_HUB_URL`); in memory when undefined. */
  readonly hubUrl?: string | undefined;
}

/** The in-memory ring by default, Redis Streams when a hub URL is given. */
export function createHubBackend(hub: EventHub, options: HubBackendOptions = {}): HubBackend {
  const { hubUrl, ...redis } = options;
  return hubUrl === undefined ? new MemoryHubBackend(hub) : new RedisHubBackend(hub, { ...redis, url: hubUrl });
}
