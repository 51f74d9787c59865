import { parseArgs } from 'node:util';
import type { Verbosity } from '../protocol/index.js';
import { isLanguageTag } from '../client/userLanguages.js';

export interface TailOptions {
  /** The server, or its event stream URL. */
  readonly url: string;
  readonly token: string | undefined;
  readonly sessionId: string | undefined;
  readonly verbosity: Verbosity;
  /** Raw event JSON lines instead of announcements. */
  readonly json: boolean;
  /** Whether to ask confirmations and questions on the terminal. */
  readonly confirm: boolean;
  /** Most non-critical announcements a second, negotiated with the producer (e.g. 1 for braille). */
  readonly rate: number | undefined;
  /** `--lang`: the languages to hear our phrases in; default the user's locale, then English. */
  readonly languages: readonly string[] | undefined;
  /** Follow over the WebSocket binding instead of SSE. */
  readonly websocket: boolean;
}

export class UsageError extends Error {}

export const TAIL_USAGE = `Usage: aaep-otel tail <url> [options]

Follows an agent's AAEP event stream and prints one plain line per announcement.
When the agent asks for a confirmation or an answer, it asks you here.
<url> is the server (http://127.0.0.1:4319) or its stream (…/aaep/v1/events).

Options:
  --token T                 bearer token (else the AAEP_TOKEN environment variable)
  --session sess_…          follow one session only
  --verbosity terse|normal|detailed
                            how much to say (default normal)
  --json                    print each event as one line of JSON instead
  --no-confirm              only listen: tell the producer this listener cannot answer,
                            so it sends no questions here (with no other listener that
                            can, the agent takes each question's default at once)
  --rate N                  at most N announcements a second (the producer coalesces
                            the rest; confirmations and errors always come at once)
  --lang fr-CA,en           the languages to hear the agent's status phrases in
                            (default: your locale's, then English)
  --ws                      follow over a WebSocket instead of Server-Sent Events
  --help                    this text
`;

const VERBOSITIES: readonly string[] = ['terse', 'normal', 'detailed'];
const SESSION_ID = /^sess_[A-Za-z0-9]{1,64}$/;

/** Reads `tail <url> [options]`; 'help' for --help. Throws UsageError with a one-line reason. */
export function parseTailArgs(argv: readonly string[], env: Record<string, string | undefined>): TailOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        token: { type: 'string' },
        session: { type: 'string' },
        verbosity: { type: 'string' },
        json: { type: 'boolean' },
        'no-confirm': { type: 'boolean' },
        rate: { type: 'string' },
        lang: { type: 'string' },
        ws: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  const [command, url, ...extra] = positionals;
  if (command !== 'tail') throw new UsageError(command === undefined ? 'Missing the command: tail.' : `Unknown command "${command}".`);
  if (url === undefined) throw new UsageError('Missing the URL of the server.');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  let protocol;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(`"${url}" is not a URL.`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`"${url}" is not an http or https URL.`);
  const verbosity = values.verbosity ?? 'normal';
  if (!VERBOSITIES.includes(verbosity)) throw new UsageError(`--verbosity must be terse, normal or detailed, not "${verbosity}".`);
  if (values.session !== undefined && !SESSION_ID.test(values.session)) {
    throw new UsageError(`--session must look like sess_ followed by letters and digits, not "${values.session}".`);
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > 100_000)) {
    throw new UsageError(`--rate must be a whole number of announcements a second from 1 to 100000, not "${values.rate}".`);
  }
  const languages = values.lang?.split(',').map((tag) => tag.trim());
  if (languages !== undefined && (languages.length === 0 || languages.length > 8 || !languages.every(isLanguageTag))) {
    throw new UsageError(`--lang takes up to 8 language tags separated by commas, like fr-CA,en, not "${values.lang}".`);
  }
  const envToken = env.AAEP_TOKEN?.trim();
  return {
    url,
    token: values.token ?? (envToken === '' ? undefined : envToken),
    sessionId: values.session,
    verbosity: verbosity as Verbosity,
    json: values.json === true,
    confirm: values['no-confirm'] !== true,
    rate,
    languages,
    websocket: values.ws === true,
  };
}
