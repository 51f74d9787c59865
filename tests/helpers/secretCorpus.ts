/**
 * Secret shapes that must never reach the wire, each with the words it usually comes with.
 *
 * Values are fake but have the real shape (prefix, alphabet, length); they are generated from a
 * fixed seed so the file holds no string a repository scanner would take for a live key.
 * `secret` is the distinctive part: no piece of it of FRAGMENT_LENGTH characters may appear on the wire.
 */

export interface SecretShape {
  readonly name: string;
  /** The distinctive part of the secret (what a listener must never hear); NUL marks a public literal left out of it. */
  readonly secret: string;
  /** The secret in the sentence or snippet it usually appears in. */
  readonly inText: string;
}

/** A fragment is any run of this many characters of `secret` (the whole secret when shorter), NUL excluded. */
export const FRAGMENT_LENGTH = 6;

/** Every fragment of `secret` found in `wire`. */
export function leakedFragments(wire: string, secret: string): string[] {
  const chars = [...secret];
  if (chars.length <= FRAGMENT_LENGTH) return wire.includes(secret) ? [secret] : [];
  const leaks = new Set<string>();
  for (let i = 0; i + FRAGMENT_LENGTH <= chars.length; i++) {
    const fragment = chars.slice(i, i + FRAGMENT_LENGTH).join('');
    if (!fragment.includes('\0') && wire.includes(fragment)) leaks.add(fragment);
  }
  return [...leaks];
}

let state = 0x2545f491;
function random(): number {
  // xorshift32: the same fake values on every run
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x100000000;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const BASE32 = `${UPPER}234567`;

/** `n` random characters of `chars`, with at least one upper, lower and digit when the alphabet has them. */
function gen(chars: string, n: number): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < n; i++) out += chars[Math.floor(random() * chars.length)];
    const needs = [UPPER, LOWER, DIGITS].filter((set) => [...set].some((c) => chars.includes(c)));
    if (needs.every((set) => [...out].some((c) => set.includes(c)))) return out;
  }
}
const j = (...parts: string[]): string => parts.join('');
const uuid = (): string => `${gen(HEX, 8)}-${gen(HEX, 4)}-${gen(HEX, 4)}-${gen(HEX, 4)}-${gen(HEX, 12)}`;
const b64 = (text: string): string => Buffer.from(text).toString('base64');

const shapes: SecretShape[] = [];
/** Adds a shape; `context` builds the text around the value, `distinct` is the part that must not leak. */
function add(name: string, value: string, context: (v: string) => string, distinct: string = value): void {
  shapes.push({ name, secret: distinct, inText: context(value) });
}

// --- Cloud providers --------------------------------------------------------------------------
const awsId = j('AK', 'IA', gen(BASE32, 16));
add('AWS access key id', awsId, (v) => `Using access key ${v} for the S3 upload.`);
add('AWS temporary access key id', j('AS', 'IA', gen(BASE32, 16)), (v) => `assumed role, key id ${v}, expires in 3600 s`);
const awsSecret = gen(B64, 40);
add('AWS secret access key, bare', awsSecret, (v) => `copy ${v} into the deploy settings`);
add('AWS credentials file', gen(B64, 40), (v) => `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${v}\nregion = eu-west-1`);
add('Google API key', j('AI', 'za', gen(B64URL, 35)), (v) => `maps key ${v} works`);
add('Google OAuth access token', j('ya', '29.', gen(B64URL, 120)), (v) => `Authorization header carried ${v} to the calendar API`);
add('Google API key in a request URL', j('AI', 'za', gen(B64URL, 35)), (v) => `GET https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key=${v} 200`);
const sasSig = encodeURIComponent(gen(B64, 43) + '=');
add('Azure storage SAS signature', sasSig, (v) => `Download https://acme.blob.core.windows.net/reports/q3.pdf?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-31T00:00:00Z&spr=https&sig=${v} now`);
add('Azure storage connection string', gen(B64, 86) + '==', (v) => `DefaultEndpointsProtocol=https;AccountName=acmefiles;AccountKey=${v};EndpointSuffix=core.windows.net`);
add('Azure Service Bus connection string', gen(B64, 43) + '=', (v) => `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${v}`);
add('Azure AD client secret', j(gen(ALNUM, 3), '8Q~', gen(ALNUM, 34)), (v) => `client secret ${v} expires next year`);
add('Alibaba access key id', j('LT', 'AI', gen(ALNUM, 20)), (v) => `aliyun key ${v} in use`);
add('DigitalOcean token', j('dop', '_v1_', gen(HEX, 64)), (v) => `doctl auth init --access-token ${v}`);
add('Heroku API key', j('HR', 'KU-AA', gen(B64URL, 58)), (v) => `heroku key ${v} set`);
add('Databricks token', j('da', 'pi', gen(HEX, 32)), (v) => `Databricks PAT ${v} for the job`);
add('Cloudflare origin CA key', j('v1.0-', gen(HEX, 24), '-', gen(HEX, 146)), (v) => `origin key ${v} installed`);

// --- Source hosting and package registries ------------------------------------------------------
add('GitHub personal access token', j('gh', 'p_', gen(ALNUM, 36)), (v) => `clone with ${v} please`);
add('GitHub OAuth token', j('gh', 'o_', gen(ALNUM, 36)), (v) => `The CLI stored ${v} in its config.`);
add('GitHub user-to-server token', j('gh', 'u_', gen(ALNUM, 36)), (v) => `app user token ${v} refreshed`);
add('GitHub server-to-server token', j('gh', 's_', gen(ALNUM, 36)), (v) => `installation token ${v} issued`);
add('GitHub refresh token', j('gh', 'r_', gen(ALNUM, 36)), (v) => `refresh with ${v} later`);
const fineGrained = j(gen(ALNUM, 22), '_', gen(ALNUM, 59));
add('GitHub fine-grained token', j('github', '_pat_', fineGrained), (v) => `{"repo": "acme/widgets", "auth": {"value": "${v}"}}`, fineGrained);
add('GitHub token in a git remote URL', j('gh', 'p_', gen(ALNUM, 36)), (v) => `git remote add origin https://${v}@github.com/acme/widgets.git`);
add('GitLab personal access token', j('gl', 'pat-', gen(B64URL, 20)), (v) => `gitlab token ${v} for CI`);
add('GitLab pipeline trigger token', j('gl', 'ptt-', gen(HEX, 40)), (v) => `trigger with ${v} on main`);
add('GitLab runner token', j('gl', 'rt-', gen(B64URL, 20)), (v) => `runner registered with ${v} today`);
add('npm token', j('np', 'm_', gen(ALNUM, 36)), (v) => `//registry.npmjs.org/:_authToken=${v}`);
add('PyPI upload token', j('py', 'pi-AgEIcHlwaS5vcmc', gen(B64URL, 70)), (v) => `twine upload -p ${v} dist/*`);
add('RubyGems API key', j('ruby', 'gems_', gen(HEX, 48)), (v) => `gem push with ${v} done`);
add('JFrog API key', gen(ALNUM, 73), (v) => `artifactory: ${v} rotated`);
add('Hugging Face token', j('hf', '_', gen(ALNUM, 34)), (v) => `huggingface-cli login --token ${v}`);
add('Hugging Face organization token', j('api', '_org_', gen(UPPER + LOWER, 34)), (v) => `org token ${v} works`);

// --- Chat, mail and messaging ---------------------------------------------------------------------
add('Slack bot token', j('xo', 'xb-', gen(DIGITS, 12), '-', gen(DIGITS, 13), '-', gen(ALNUM, 24)), (v) => `client = WebClient(token="${v}")`);
add('Slack user token', j('xo', 'xp-', gen(DIGITS, 12), '-', gen(DIGITS, 12), '-', gen(DIGITS, 13), '-', gen(HEX, 32)), (v) => `user token ${v} in env`);
add('Slack app token', j('xa', 'pp-1-A', gen(UPPER + DIGITS, 10), '-', gen(DIGITS, 13), '-', gen(HEX, 64)), (v) => `socket mode with ${v} enabled`);
const slackHook = j('T', gen(UPPER + DIGITS, 8), '/B', gen(UPPER + DIGITS, 10), '/', gen(ALNUM, 24));
add('Slack webhook URL', slackHook, (v) => `POST https://hooks.slack.com/services/${v} with the alert`);
const discordHook = j(gen(DIGITS, 18), '/', gen(B64URL, 68));
add('Discord webhook URL', discordHook, (v) => `notify https://discord.com/api/webhooks/${v} when done`);
const teamsHook = j(uuid(), '@', uuid(), '/IncomingWebhook/', gen(HEX, 32), '/', uuid());
add('Microsoft Teams webhook URL', teamsHook, (v) => `Teams channel https://acme.webhook.office.com/webhookb2/${v} gets the report`, teamsHook.replace('/IncomingWebhook/', '\0'));
add('SendGrid API key', j('SG', '.', gen(B64URL, 22), '.', gen(B64URL, 43)), (v) => `sendgrid key ${v} for mail`);
add('Mailgun private key', j('ke', 'y-', gen(HEX, 32)), (v) => `MAILGUN uses ${v} for sending`);
add('Mailchimp API key', j(gen(HEX, 32), '-us', '6'), (v) => `mailchimp list sync with ${v} ok`);
add('Twilio API key', j('S', 'K', gen(HEX, 32)), (v) => `twilio key ${v} and its secret`);
add('Twilio auth token next to its word', gen(HEX, 32), (v) => `TWILIO auth token ${v} for account AC1`);
add('Telegram bot token', j(gen(DIGITS, 10), ':AA', gen(B64URL, 33)), (v) => `TELEGRAM_BOT_TOKEN=${v}`);

// --- Payments and SaaS -------------------------------------------------------------------------------
add('Stripe live secret key', j('sk', '_live_', gen(ALNUM, 99)), (v) => `charge with ${v} now`);
add('Stripe restricted key', j('rk', '_live_', gen(ALNUM, 40)), (v) => `stripe:\n  restricted: ${v}\n  currency: eur`);
const stripeTest = gen(ALNUM, 24);
add('Stripe test key', j('sk', '_test_', stripeTest), (v) => `Use ${v} for the sandbox checkout.`, stripeTest);
add('Stripe webhook secret', j('wh', 'sec_', gen(ALNUM, 32)), (v) => `webhook signing secret is ${v}`);
add('Square access token', j('EA', 'AA', gen(B64URL, 60)), (v) => `square token ${v} for POS`);
add('Shopify access token', j('sh', 'pat_', gen(HEX, 32)), (v) => `shopify admin ${v} works`);
add('Flutterwave secret key', j('FLW', 'SECK_TEST-', gen(HEX, 32), '-X'), (v) => `flutterwave ${v} in test mode`);
add('Linear API key', j('lin', '_api_', gen(ALNUM, 40)), (v) => `linear key ${v} here`);
add('Doppler token', j('dp', '.pt.', gen(ALNUM, 43)), (v) => `doppler run --token ${v}`);
add('Grafana service account token', j('gl', 'sa_', gen(ALNUM, 32), '_', gen(HEX, 8)), (v) => `grafana token ${v} set`);
add('Postman API key', j('PM', 'AK-', gen(HEX, 24), '-', gen(HEX, 34)), (v) => `postman key ${v} used`);
add('PlanetScale token', j('psc', 'ale_tkn_', gen(B64URL, 43)), (v) => `PlanetScale CLI uses ${v} now`);
add('Pulumi access token', j('pu', 'l-', gen(HEX, 40)), (v) => `pulumi login with ${v}`);
add('Vault service token', j('hv', 's.', gen(B64URL, 95)), (v) => `VAULT uses ${v} for reads`);
add('Atlassian API token', j('ATA', 'TT3', gen(B64URL, 186)), (v) => `jira cloud token ${v} ok`);
add('Age secret key', j('AGE-SECRET', '-KEY-1', gen('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)), (v) => `age key ${v} saved`);

// --- AI providers ---------------------------------------------------------------------------------------
add('OpenAI project key', j('sk', '-proj-', gen(B64URL, 74), 'T3Blbk', 'FJ', gen(B64URL, 74)), (v) => `export OPENAI_API_KEY=${v} && python agent.py`);
add('OpenAI legacy key', j('sk', '-', gen(ALNUM, 20), 'T3Blbk', 'FJ', gen(ALNUM, 20)), (v) => `I found ${v} in the .env file, rotate it.`);
add('Anthropic API key', j('sk', '-ant-api03-', gen(B64URL, 93), 'AA'), (v) => `ANTHROPIC_API_KEY is ${v}`);
add('Anthropic admin key', j('sk', '-ant-admin01-', gen(B64URL, 93), 'AA'), (v) => `{"headers": {"x-api-key": "${v}", "anthropic-version": "2023-06-01"}}`);

// --- Tokens, keys and auth schemes ----------------------------------------------------------------------
const jwt = j('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', '.', 'eyJ', gen(B64URL, 60), '.', gen(B64URL, 43));
add('JWT in model output', jwt, (v) => `The session token is ${v}. It expires tomorrow.`);
add('JWT as a bearer header', j('eyJhbGciOiJSUzI1NiJ9', '.', 'eyJ', gen(B64URL, 50), '.', gen(B64URL, 86)), (v) => `Authorization: Bearer ${v}\nAccept: application/json`);
add('opaque bearer token', gen(HEX, 40), (v) => `The request used Bearer ${v} and got 401.`);
add('HTTP Basic header', b64(`svc-deploy:${gen(ALNUM, 14)}`), (v) => `Authorization: Basic ${v}`);
const urlPassword = j(gen(ALNUM, 10), '-', gen(ALNUM, 4));
add('basic auth in an https URL', urlPassword, (v) => `fetch https://alice:${v}@intranet.example.com/report.csv ok`);
add('password in a Postgres URL', j(gen(ALNUM, 12), '-3'), (v) => `DATABASE_URL=postgres://admin:${v}@db.internal:5432/app`);
add('password in a MongoDB SRV URL', j(gen(ALNUM, 8), '-', gen(ALNUM, 6)), (v) => `Connecting to mongodb+srv://svc:${v}@cluster0.example.net/db?retryWrites=true now`);
add('password-only Redis URL', gen(ALNUM, 18), (v) => `cache: redis://:${v}@cache:6379/0`);
add('password in an AMQP URL', gen(ALNUM, 16), (v) => `broker amqp://guest:${v}@mq.internal:5672/`);
add('SQL Server connection string', j(gen(ALNUM, 10), '!9'), (v) => `Server=tcp:db.example.net,1433;Database=app;User ID=sa;Password=${v};Encrypt=true`);
add('JDBC URL with a password parameter', gen(ALNUM, 14), (v) => `jdbc:mysql://db:3306/app?user=root&password=${v}&useSSL=true`);
const pemBody = [gen(B64, 64), gen(B64, 64), gen(B64, 64)];
add('RSA private key', pemBody.join('\n'), (v) => `-----BEGIN RSA PRIVATE KEY-----\n${v}\n-----END RSA PRIVATE KEY-----`, pemBody[1]);
const sshBody = [j('b3BlbnNzaC1rZXktdjEAAAAA', gen(B64, 40)), gen(B64, 64)];
add('OpenSSH private key', sshBody.join('\n'), (v) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${v}\n-----END OPENSSH PRIVATE KEY-----`, sshBody[1]);
add('32-hex auth token after its word', gen(HEX, 32), (v) => `the auth token ${v} was accepted`);
add('32-hex API key value', gen(HEX, 32), (v) => `api_key: ${v}`);
add('high-entropy session token after its word', gen(B64URL, 24), (v) => `your session token is ${v} today`);
add('cookie header', gen(HEX, 32), (v) => `Cookie: theme=dark; sessionid=${v}; lang=en`);
add('environment variable password', j(gen(ALNUM, 9), '#', gen(DIGITS, 2)), (v) => `DB_PASSWORD=${v} ./migrate`);
add('curl -u user:password', j(gen(ALNUM, 10), '7'), (v) => `curl -u deploy:${v} https://ci.example.com/api`);
add('--password flag', j(gen(ALNUM, 11), '_2'), (v) => `mysql --password ${v} -h db`);
add('password pair in prose', j('correct-', gen(ALNUM, 8), '-42'), (v) => `login with password=${v} then continue`);
add('spoken password', j(gen(ALNUM, 7), '-', gen(ALNUM, 5), '!'), (v) => `my password is ${v} ok`);
add('pass: value', j(gen(ALNUM, 8), '%', gen(DIGITS, 2)), (v) => `wifi pass: ${v} (guest network)`);
add('pw= value', j(gen(ALNUM, 9), '@', gen(DIGITS, 1)), (v) => `login?user=ann&pw=${v}`);
add('PIN: value', gen(DIGITS, 6), (v) => `Your card PIN: ${v}, keep it safe.`);
add('PIN spoken', gen(DIGITS, 4), (v) => `the door PIN ${v} opens the side entrance`);

// --- Passwords in the most spoken languages ------------------------------------------------------------
const pw = (): string => j(gen(ALNUM, 7), '#', gen(DIGITS, 2));
add('password in Mandarin Chinese', pw(), (v) => `数据库密码：${v}，请保管好。`);
add('password in Mandarin, with a copula', pw(), (v) => `我的密码是${v}，别告诉别人`);
add('password in Hindi', pw(), (v) => `आपका पासवर्ड: ${v} है`);
add('password in Spanish', pw(), (v) => `La contraseña es ${v} para el servidor.`);
add('password in French', pw(), (v) => `Le mot de passe : ${v} pour le wifi.`);
add('password in Arabic', pw(), (v) => `كلمة المرور: ${v} للحساب`);
add('password in Bengali', pw(), (v) => `আপনার পাসওয়ার্ড: ${v} মনে রাখুন`);
add('password in Portuguese', pw(), (v) => `A senha é ${v} para o painel.`);
add('password in Russian', pw(), (v) => `Пароль: ${v} от почты.`);
add('password in Japanese', pw(), (v) => `パスワードは ${v} です。`);
add('password in German', pw(), (v) => `Das Passwort ist ${v} für den Server.`);
add('password in Korean', pw(), (v) => `비밀번호: ${v} 입니다`);
add('password in Turkish', pw(), (v) => `Şifre: ${v} lütfen`);

// --- Obfuscations --------------------------------------------------------------------------------------------
add('zero-width space inside the key word', pw(), (v) => `pass\u200bword: ${v} for the VPN`);
add('zero-width joiner inside a provider prefix', j('gh', '\u200dp_', gen(ALNUM, 36)), (v) => `token ${v} works`);
const fullWidth = (text: string): string => [...text].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
add('full-width key word and value', fullWidth(j(gen(ALNUM, 8), '9')), (v) => `${fullWidth('password')}＝${v} ok`);
add('full-width provider key', fullWidth(j('gh', 'p_', gen(ALNUM, 36))), (v) => `key ${v} found`);
add('soft hyphen inside a key word', pw(), (v) => `pass\u00adword=${v}`);
const wrappedPassword = b64(`admin:${pw()}`);
add('base64-wrapped user:password', wrappedPassword, (v) => `config blob ${v} decoded at start`);
add('base64-wrapped API key', b64(j('sk', '_live_', gen(ALNUM, 32))), (v) => `the payload ${v} was uploaded`);
add('base64-wrapped JSON credentials', b64(`{"password":"${pw()}"}`), (v) => `secret manager returned ${v} for the job`);
add('base64url-wrapped GitHub token', Buffer.from(j('gh', 'p_', gen(ALNUM, 36))).toString('base64url'), (v) => `state=${v}&next=/home`);

export const SECRET_CORPUS: readonly SecretShape[] = shapes;
