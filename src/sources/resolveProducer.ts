import { readEnvString } from '../env.js';
import type { Producer } from '../protocol/index.js';

/** The producer on every event: each field from the options, else its variable, else the default (agent id "agent"). */
export function resolveProducer(options: { readonly agentId?: string; readonly agentName?: string; readonly agentVersion?: string }): Producer {
  const agentName = options.agentName ?? readEnvString('AAEP_AGENT_NAME');
  return {
    agent_id: options.agentId ?? readEnvString('AAEP_AGENT_ID') ?? readEnvString('OTEL_SERVICE_NAME') ?? 'agent',
    ...(agentName !== undefined && { agent_name: agentName }),
    ...(options.agentVersion !== undefined && { agent_version: options.agentVersion }),
  };
}
