/** Starts the real receiver service on port 0 for a test. */
import { readReceiverConfig, type ReceiverConfig } from '../../collector/receiverConfig.js';
import { startReceiver, type Receiver } from '../../collector/startReceiver.js';

export async function startTestReceiver(overrides: Partial<ReceiverConfig> = {}): Promise<Receiver> {
  const config = readReceiverConfig(['--port', '0', '--quiet-ms', '300'], {});
  if (config === 'help') throw new Error('unreachable');
  // As the flags do: the ingest token defaults to the token.
  return startReceiver({ ...config, ingestToken: overrides.token, ...overrides });
}
