import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REDACTED, isSecretKey, redactText, redactValue, secretTailStart } from '../../../src/translate/redact/redact.js';

// Fixtures are assembled at runtime so repository secret scanners don't flag
// these fake credentials as real ones.
const j = (...parts: string[]): string => parts.join('');

/** Every 8-character window of `secret` that appears in `output`. */
function leakedFragments(output: string, secret: string): string[] {
  const leaks: string[] = [];
  if (output.includes(secret)) leaks.push(secret);
  for (let i = 0; i + 8 <= secret.length; i++) {
    const window = secret.slice(i, i + 8);
    if (output.includes(window)) leaks.push(window);
  }
  return leaks;
}

interface SecretCase {
  name: string;
  text: string;
  secrets: string[];
}

const openAiKey = j('sk', '-', 'Xq7vB2mN9pL4kR8sT1wY3zA5cD6eF0gH2jK4lM6nP8');
const openAiProjectKey = j('sk', '-proj-', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0-uVwXyZ_12345abcdeFGHIJ');
const anthropicKey = j('sk', '-ant-api03-', 'Zr8Qw2Ls9Xk4Vb7Np1Mc6Tj3Hd5Gf0Ye8Ua2Io4Pl6Kj9-Hg7Fd5Sa3Qw1Er9Ty7_AA');
const awsKeyId = j('AK', 'IA', 'IOSFODNN7EXAMPLE');
const awsSessionKeyId = j('AS', 'IA', 'Q3EGUWL3DMMYQ6XZ');
const awsSecret = j('wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY');
const githubPat = j('gh', 'p_', 'R4nd0mTok3nValu3ForTest1ngOnly0123456');
const githubFineGrained = j('github', '_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV');
const githubOauth = j('gh', 'o_', 'Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa98');
const slackBot = j('xo', 'xb-', '1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx');
const googleKey = j('AI', 'za', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY');
const stripeLive = j('sk', '_live_', '51HxYzAbCdEfGhIjKlMnOpQrStUv0123456789');
const stripeRestricted = j('rk', '_live_', '51HxYzQvWm0123456789abcdefABCDEF');
const stripeTest = j('sk', '_test_', '4eC39HqLyjWDarjtT1zdp7dc');
const jwt = j(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSBMb3ZlbGFjZSIsImlhdCI6MTUxNjIzOTAyMn0',
  '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const opaqueBearer = '9c1185a5c5e9fc54612808977ee8f548b2258d31';
const basicCredential = Buffer.from('alice:s3cr3t-pass').toString('base64');
const pemBody = [
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  'LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo',
];
const pemKey = ['-----BEGIN RSA PRIVATE KEY-----', ...pemBody, '-----END RSA PRIVATE KEY-----'].join('\n');
const sshBody = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';
const pgpBody = 'lQOYBGRz1ZYBCADLkU0n8f2oY4nRr7Q1tBqzGm9a0pVd3sWc6XeJhKf2LmNoPqRs';
const hfToken = j('hf', '_', 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789');
const npmToken = j('np', 'm_', 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789');
const gitlabToken = j('gl', 'pat-', 'xYz9AbC8dEf7GhI6jKl5');

const corpus: SecretCase[] = [
  { name: 'an OpenAI key exported in a shell command', text: `export OPENAI_API_KEY=${openAiKey} && python agent.py`, secrets: [openAiKey] },
  { name: 'an OpenAI project key mentioned in a sentence', text: `I found ${openAiProjectKey} in the .env file, rotate it.`, secrets: [openAiProjectKey] },
  { name: 'an Anthropic key in a JSON header object', text: `{"headers": {"x-api-key": "${anthropicKey}", "anthropic-version": "2023-06-01"}}`, secrets: [anthropicKey] },
  { name: 'an AWS access key id in command output', text: `aws sts get-caller-identity used ${awsKeyId} (profile default)`, secrets: [awsKeyId] },
  { name: 'an AWS temporary key id in a log line', text: `assumed role, key id ${awsSessionKeyId}, expires in 3600 s`, secrets: [awsSessionKeyId] },
  { name: 'an AWS secret access key in a credentials file', text: `[default]\naws_access_key_id = ${awsKeyId}\naws_secret_access_key = ${awsSecret}\nregion = eu-west-1`, secrets: [awsKeyId, awsSecret] },
  { name: 'a GitHub token embedded in a git remote URL', text: `git remote add origin https://${githubPat}@github.com/acme/widgets.git`, secrets: [githubPat] },
  { name: 'a GitHub fine-grained token in tool arguments', text: `{"repo": "acme/widgets", "token": "${githubFineGrained}"}`, secrets: [githubFineGrained] },
  { name: 'a GitHub OAuth token in prose', text: `The CLI stored ${githubOauth} in its config.`, secrets: [githubOauth] },
  { name: 'a Slack bot token in a Python snippet', text: `client = WebClient(token="${slackBot}")\nclient.chat_postMessage(channel="#ops")`, secrets: [slackBot] },
  { name: 'a Google API key in a request URL', text: `GET https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key=${googleKey} 200`, secrets: [googleKey] },
  { name: 'a Stripe live key passed to curl', text: `curl https://api.stripe.com/v1/charges -u ${stripeLive}: -d amount=2000`, secrets: [stripeLive] },
  { name: 'a Stripe restricted key in YAML', text: `stripe:\n  restricted: ${stripeRestricted}\n  currency: eur`, secrets: [stripeRestricted] },
  { name: 'a Stripe test key in a sentence', text: `Use ${stripeTest} for the sandbox checkout.`, secrets: [stripeTest] },
  { name: 'a JWT in an Authorization header', text: `Authorization: Bearer ${jwt}\nAccept: application/json`, secrets: [jwt] },
  { name: 'a bare JWT in model output', text: `The session token is ${jwt}. It expires tomorrow.`, secrets: [jwt] },
  { name: 'an opaque bearer token in a sentence', text: `The request used Bearer ${opaqueBearer} and got 401.`, secrets: [opaqueBearer] },
  { name: 'HTTP Basic credentials outside a header', text: `The proxy sent Basic ${basicCredential} upstream.`, secrets: [basicCredential] },
  { name: 'a Postgres URL with a password', text: `DATABASE_URL=postgres://admin:Tr0ub4dor-and-3@db.internal:5432/app`, secrets: ['Tr0ub4dor-and-3'] },
  { name: 'a MongoDB SRV URL with a password', text: `Connecting to mongodb+srv://svc:pa55w0rd-Xyz-987@cluster0.example.net/db?retryWrites=true now`, secrets: ['pa55w0rd-Xyz-987'] },
  { name: 'a Redis URL with only a password', text: `cache: redis://:S3cretRedisPass99@cache:6379/0`, secrets: ['S3cretRedisPass99'] },
  { name: 'a PEM RSA private key printed by cat', text: `$ cat ~/.ssh/deploy.pem\n${pemKey}\n$ ls`, secrets: pemBody },
  { name: 'an OpenSSH private key inside a JSON string', text: `{"content": "-----BEGIN OPENSSH PRIVATE KEY-----\\n${sshBody}\\n-----END OPENSSH PRIVATE KEY-----\\n"}`, secrets: [sshBody] },
  { name: 'a PGP private key block', text: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${pgpBody}\n-----END PGP PRIVATE KEY BLOCK-----`, secrets: [pgpBody] },
  { name: 'a password in a SQL Server connection string', text: `Server=db;User Id=sa;Password=Yukon-900-Secure;Encrypt=true`, secrets: ['Yukon-900-Secure'] },
  { name: 'a password in a YAML config', text: `database:\n  user: app\n  password: correct-horse-battery-staple\n  pool: 5`, secrets: ['correct-horse-battery-staple'] },
  { name: 'a client secret in OAuth JSON', text: `{"client_id":"web-app","client_secret":"d8e8fca2dc0f896fd7cb4cb0031ba249"}`, secrets: ['d8e8fca2dc0f896fd7cb4cb0031ba249'] },
  { name: 'a refresh token in a query string', text: `POST /token?grant_type=refresh_token&refresh_token=1//0gLxQm7Zk-Lq9CgYIARAAGBASNwF&client_id=x`, secrets: ['1//0gLxQm7Zk-Lq9CgYIARAAGBASNwF'] },
  { name: 'a session cookie header', text: `Cookie: session=9b2f6c1e4d8a7f3b; theme=dark\nHost: example.com`, secrets: ['9b2f6c1e4d8a7f3b'] },
  { name: 'a Set-Cookie header', text: `Set-Cookie: JSESSIONID=A1B2C3D4E5F60718293A; Path=/; HttpOnly`, secrets: ['A1B2C3D4E5F60718293A'] },
  { name: 'a password passed as a command-line flag', text: `mysql -h db --password Pr1vateHunter88 app_db`, secrets: ['Pr1vateHunter88'] },
  { name: 'user and password passed to curl -u', text: `curl -u alice:WonderLand-2024 https://api.example.com/me`, secrets: ['WonderLand-2024'] },
  { name: 'an API key in double-encoded JSON from a span attribute', text: `{"args":"{\\"api_key\\":\\"k3y-V4lu3-0987654321\\",\\"city\\":\\"Oslo\\"}"}`, secrets: ['k3y-V4lu3-0987654321'] },
  { name: 'a long hex key announced in prose', text: `Your API key is 4f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f, keep it safe.`, secrets: ['4f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f'] },
  { name: 'a password in a Python dict', text: `login({'user': 'bob', 'passwd': 'Sup3r-Secret!'})`, secrets: ['Sup3r-Secret'] },
  { name: 'an X-Api-Key header', text: `X-Api-Key: 3b1f9d2e-77aa-4c1b-9e0d-5f6a7b8c9d0e\nUser-Agent: agent/1.0`, secrets: ['3b1f9d2e-77aa-4c1b-9e0d-5f6a7b8c9d0e'] },
  { name: 'a wallet private key in an env file', text: `PRIVATE_KEY="0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"`, secrets: ['4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'] },
  { name: 'Hugging Face, npm and GitLab tokens in one log', text: `tokens: ${hfToken}, ${npmToken} and ${gitlabToken}`, secrets: [hfToken, npmToken, gitlabToken] },
];

describe('redactText hides secrets', () => {
  it('has a corpus of at least 25 secret shapes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
  });

  it.each(corpus)('hides $name', ({ text, secrets }) => {
    const out = redactText(text);
    for (const secret of secrets) expect(leakedFragments(out, secret)).toEqual([]);
    expect(out).toContain(REDACTED);
  });

  it('replaces the whole key=value pair so the parameter name is not spoken either', () => {
    expect(redactText('password=hunter2')).toBe(REDACTED);
    expect(redactText('{"client_secret": "abc123"}')).toBe(`{${REDACTED}}`);
    expect(redactText('Authorization: Bearer abc.def')).toBe(REDACTED);
  });

  it('hides a secret pair behind leading words, and a spoken password, with no part of either left', () => {
    expect(redactText('Please store my api_key=sk-proj-Zx81kQ0pLm3Nv7Rt2Yw9')).toBe(`Please store ${REDACTED}`);
    expect(redactText('Log in with password hunter2-Secret!')).toBe(`Log in with ${REDACTED}`);
    expect(redactText('Save my login, password=hunter2-Secret!, then check in')).toBe(`Save my login, ${REDACTED}, then check in`);
    expect(redactText('my password is s3cret')).toBe(`my ${REDACTED}`);
  });

  it('keeps the host of a URL readable while dropping its credentials', () => {
    const out = redactText('Connecting to postgres://admin:S3cr3t-Pw@db.internal:5432/app.');
    expect(out).toBe(`Connecting to postgres://db.internal:5432/app with ${REDACTED}.`);
    expect(out).not.toContain(`${REDACTED}@`);
  });

  it('keeps the words around a prose label', () => {
    expect(redactText('Note the token: abc123, then continue')).toBe(`Note ${REDACTED}, then continue`);
    expect(redactText('Your API key: abc123')).toBe(REDACTED);
    expect(redactText('Status: ok, access token = abc123')).toBe(`Status: ok, ${REDACTED}`);
  });

  it('hides the rest of a truncated private key rather than leaking it', () => {
    const out = redactText(`key:\n-----BEGIN PRIVATE KEY-----\n${pemBody[0]}\n${pemBody[1]}`);
    expect(out).toBe(`key:\n${REDACTED}`);
  });

  it('does not stutter when a value was already hidden', () => {
    expect(redactText(`api_key=${openAiKey}`)).toBe(REDACTED);
    expect(redactText(`--token ${githubPat}`)).toBe(REDACTED);
  });

  it('gives the same result when run twice', () => {
    for (const { text } of corpus) expect(redactText(redactText(text))).toBe(redactText(text));
  });
});

describe('redactText leaves ordinary text alone', () => {
  const ordinary = [
    'The weather in Paris is 18°C with light rain; tomorrow 21°C and sunny.',
    'Trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7 finished in 231 ms.',
    'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7',
    'Checked out commit 9fceb02d0ae598e95dc970b74767f19372d61af8 on main.',
    'sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'Fetched https://example.com/docs/getting-started?lang=en#install (200 OK).',
    '{"url":"https://example.com/a","contact":"bob@example.com"}',
    'the password policy requires 12 characters',
    'The password policy: at least 12 characters, one digit and one symbol.',
    'Usage: prompt_tokens=1532, completion_tokens=211, total_tokens=1743, max_tokens: 4096',
    '{"model":"gpt-4o","temperature":0.2,"max_tokens":1024,"page_token":"CiAKGjBpNDd2Nmp2"}',
    'Press the Tab key to move to the next button; press the Escape key: it closes the dialog.',
    'Our sales in Asia grew 12% in Q3 2024; ticket ASIA-1234 tracks it.',
    'git clone ssh://git@github.com/acme/widgets.git',
    'Email alice@example.com about the 3 pm meeting.',
    'Basic setup is complete; the bearer of this message will explain.',
    'Basic understanding of the token economy helps.',
    'The author: Jane Austen, 1813.',
    'function login(user: string, password: string): Promise<Session> {',
    'Read 3 files: src/auth/session.ts, src/tokenizer.ts and README.md',
    'The secretary scheduled the token ring review for Monday at 10:30.',
    'The risk-assessment-framework-overview document and the Task-Management-System-V2 plan are ready.',
    'Running in PWD=/home/runner/work with OLDPWD=/tmp',
    'Keyboard shortcut: hotkey=Ctrl+Shift+P, public_key=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5',
    'It is 72°F in Austin, humidity 40%, wind 5 mph from the south.',
    'password_policy: strict, token_url: https://auth.example.com/token',
    // UUIDs, SHAs, identifiers and URLs in ordinary sentences
    'Order 3f2b8c1e-9a4d-4e6f-b2c1-7d8e9f0a1b2c shipped on Monday.',
    'Request id 014df517-39d1-4453-b7b3-9930c563627c took 40 ms.',
    'Reverted 1a410efbd13591db07496601ebc7a059dd55cfe9 because the build broke.',
    'Call getUserAccountSettingsForDisplay2 from the ProfileSettingsController.',
    'The internationalization and characterization modules were merged.',
    'See https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API/Using_Fetch for details.',
    'Open https://www.example.org/search?q=weather+in+oslo&lang=en to compare.',
    // credential words in ordinary speech, in several languages
    'First pass: tokenize the input, then parse it.',
    'Pin the tab, then pass the salt.',
    'You can reset your password from the settings page.',
    'Passwort ändern: öffnen Sie die Einstellungen.',
    'La contraseña es segura y fácil de recordar.',
    'Le mot de passe est trop court.',
    'パスワードを忘れた場合は、設定から再設定してください。',
    '如果忘记密码，请联系管理员。',
    'Пароль должен быть длиннее.',
    'A senha é obrigatória.',
  ];

  it.each(ordinary)('leaves %j unchanged', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('returns an empty string unchanged', () => {
    expect(redactText('')).toBe('');
  });
});

describe('isSecretKey', () => {
  it.each([
    'password', 'PASSWORD', 'db_password', 'passwd', 'pwd', 'DB_PWD', 'passphrase', 'secret', 'client_secret',
    'clientSecret', 'AWS_SECRET_ACCESS_KEY', 'token', 'access_token', 'refreshToken', 'id_token', 'GITHUB_TOKEN',
    'api_key', 'apiKey', 'apikey', 'api-key', 'X-Api-Key', 'OPENAI_API_KEY', 'auth', 'Authorization',
    'Proxy-Authorization', 'credentials', 'credential', 'private_key', 'privateKey', 'session', 'session_id',
    'sessionid', 'JSESSIONID', 'cookie', 'Set-Cookie', 'jwt', 'aws_access_key_id',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'max_tokens', 'maxTokens', 'prompt_tokens', 'token_count', 'tokenizer', 'pageToken', 'next_page_token',
    'eos_token', 'author', 'authority', 'authenticated', 'secretary', 'key', 'hotkey', 'public_key',
    'primary_key', 'password_policy', 'token_url', 'secret_name', 'private_key_path', 'PWD', 'OLDPWD',
    'session_duration', 'trace_id', 'city', '', 'cancellationToken', 'cmdparser', 'ciudad', 'passenger_count',
  ])('treats %j as ordinary', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('redactValue', () => {
  it('hides values under secret keys and secrets inside strings, deep in objects and arrays', () => {
    const input = {
      tool: 'http_request',
      args: {
        url: 'https://api.example.com/v1/items?limit=10',
        headers: { Authorization: `Bearer ${jwt}`, Accept: 'application/json' },
        body: [{ name: 'deploy', credentials: { user: 'ci', password: 'hunter22' } }, `note: use ${githubPat}`],
        max_tokens: 512,
      },
    };
    const out = redactValue(input);
    expect(out).toEqual({
      tool: 'http_request',
      args: {
        url: 'https://api.example.com/v1/items?limit=10',
        headers: { Authorization: REDACTED, Accept: 'application/json' },
        body: [{ name: 'deploy', credentials: REDACTED }, `note: use ${REDACTED}`],
        max_tokens: 512,
      },
    });
    const serialised = JSON.stringify(out);
    for (const secret of [jwt, githubPat, 'hunter22']) expect(leakedFragments(serialised, secret)).toEqual([]);
  });

  it('returns a copy and leaves the input untouched', () => {
    const input = { a: { password: 'x1y2z3w4' }, list: [1, 2, 3] };
    const out = redactValue(input) as typeof input;
    expect(input.a.password).toBe('x1y2z3w4');
    expect(out).not.toBe(input);
    expect(out.list).not.toBe(input.list);
    expect(out.list).toEqual([1, 2, 3]);
  });

  it('keeps booleans and null under secret keys because they reveal nothing', () => {
    expect(redactValue({ has_password: true, token: null, api_key: 12345 })).toEqual({
      has_password: true,
      token: null,
      api_key: REDACTED,
    });
  });

  it('stops at the depth limit', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const out = JSON.stringify(redactValue(deep, 3));
    expect(out).toBe('{"next":{"next":{"next":"(nested data not shown)"}}}');
  });

  it('caps long arrays and wide objects', () => {
    const arr = redactValue(Array.from({ length: 5000 }, (_, i) => i)) as unknown[];
    expect(arr.length).toBeLessThanOrEqual(201);
    expect(arr.at(-1)).toBe('(4800 more items not shown)');
    const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(redactValue(wide) as object).length).toBeLessThanOrEqual(201);
  });

  it('survives circular and heavily shared structures', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(redactValue(cyclic)).toEqual({ name: 'loop', self: '(circular reference)' });

    // 8 levels of 50 references to the same child would be 50^8 nodes without a budget.
    let shared: unknown = 'leaf';
    for (let i = 0; i < 8; i++) shared = Array.from({ length: 50 }, () => shared);
    expect(JSON.stringify(redactValue(shared)).length).toBeLessThan(2_000_000);
  });

  it('does not let a __proto__ key change the prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const out = redactValue(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
  });

  it('redacts secrets used as object keys', () => {
    const out = redactValue({ [githubPat]: 'owner' }) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual([REDACTED]);
  });

  it('passes primitives through and redacts a bare string', () => {
    expect(redactValue(42)).toBe(42);
    expect(redactValue(null)).toBe(null);
    expect(redactValue(`key ${openAiKey}`)).toBe(`key ${REDACTED}`);
  });
});

describe('redactText on hostile input', () => {
  const MB = 1 << 20;
  const hostile: Record<string, string> = {
    'repeated password pairs with open quotes': 'password="'.repeat(MB / 10),
    'repeated escaped quotes': 'password=\\"'.repeat(MB / 11),
    'repeated JWT prefixes': '-eyJ'.repeat(MB / 4),
    'dotted JWT-like runs': 'eyJaaaaaaaaaa.'.repeat(MB / 14),
    'repeated sk- prefixes': 'sk-a'.repeat(MB / 4),
    'an unterminated URL userinfo': `https://${'a'.repeat(MB)}`,
    'repeated PEM headers without an end': '-----BEGIN RSA PRIVATE KEY-----'.repeat(MB / 31),
    'repeated Bearer words': 'Bearer '.repeat(MB / 7),
    'repeated Basic values': 'basic aGVsbG8= '.repeat(MB / 15),
    'repeated secret words before a long run': 'secret '.repeat(MB / 7) + 'a'.repeat(1000),
    'one key followed by a megabyte of spaces': `token${' '.repeat(MB)}`,
    'repeated quoted words': '"abc" '.repeat(MB / 6),
    'repeated flags': '--password '.repeat(MB / 11),
  };

  it.each(Object.entries(hostile))('finishes on 1 MB of %s', (_name, text) => {
    expect(typeof redactText(text)).toBe('string');
  });

  it('still finds a secret at the end of 1 MB of ordinary text', () => {
    const text = 'The weather is fine today. '.repeat(MB / 27) + `token=${githubPat}`;
    const out = redactText(text);
    expect(out.endsWith(REDACTED)).toBe(true);
    expect(out).not.toContain(githubPat);
  });
});

describe('redactText properties', () => {
  const alnum = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
  const base64url = [...alnum, '-', '_'];
  const fixed = (chars: string[], n: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: n, maxLength: n });
  const part = fc.string({ unit: fc.constantFrom(...base64url), minLength: 10, maxLength: 60 });

  const secret = fc.oneof(
    fixed(alnum, 40).map((s) => j('sk', '-', s)),
    fixed(alnum, 36).map((s) => j('gh', 'p_', s)),
    fc.tuple(part, part, part).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`),
  );
  const noise = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));

  it('never lets a generated secret through, whatever surrounds it', () => {
    fc.assert(
      fc.property(noise, secret, noise, (prefix, s, suffix) => {
        expect(redactText(prefix + s + suffix)).not.toContain(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('always returns a string without throwing for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(typeof redactText(s)).toBe('string');
      }),
    );
  });
});

describe('redactText matches normalised text and replaces the original', () => {
  it('finds a key word written in full-width letters and replaces exactly the original characters', () => {
    const text = `Guest wifi: ｐａｓｓｗｏｒｄ＝Ｋ９ｍｘ７ｑ, enjoy.`;
    expect(redactText(text)).toBe(`Guest wifi: ${REDACTED}, enjoy.`);
  });

  it('sees through zero-width characters and soft hyphens inside key words and tokens', () => {
    expect(redactText('pass\u200bword: Zq8!mK2# ok')).toBe(`${REDACTED} ok`);
    expect(redactText(`token ${j('gh', '\u200dp_', 'R4nd0mTok3nValu3ForTest1ngOnly0123456')} works`)).toBe(`token ${REDACTED} works`);
    expect(redactText('pass\u00adword=Zq8!mK2#')).toBe(REDACTED);
  });

  it('keeps the original characters around a match, accents and scripts included', () => {
    expect(redactText('Café ☕ — mot de passe : Zq8!mK2# — merci')).toBe(`Café ☕ — ${REDACTED} — merci`);
  });

  it('keeps text with invisible characters but no secret unchanged', () => {
    const text = 'zero\u200bwidth and ｆｕｌｌ width, nothing secret';
    expect(redactText(text)).toBe(text);
  });
});

describe('redactText on credential words in other languages', () => {
  it.each([
    ['Mandarin', '数据库密码：Zq8mK2#x，请保管好。', `数据库${REDACTED}，请保管好。`],
    ['Hindi', 'आपका पासवर्ड: Zq8mK2#x है', `आपका ${REDACTED} है`],
    ['Spanish', 'La contraseña es Zq8mK2#x para el servidor.', `La ${REDACTED} para el servidor.`],
    ['French', 'Le mot de passe : Zq8mK2#x pour le wifi.', `Le ${REDACTED} pour le wifi.`],
    ['Arabic', 'كلمة المرور: Zq8mK2#x للحساب', `${REDACTED} للحساب`],
    ['Bengali', 'আপনার পাসওয়ার্ড: Zq8mK2#x মনে রাখুন', `আপনার ${REDACTED} মনে রাখুন`],
    ['Portuguese', 'A senha é Zq8mK2#x para o painel.', `A ${REDACTED} para o painel.`],
    ['Russian', 'Пароль: Zq8mK2#x от почты.', `${REDACTED} от почты.`],
    ['Japanese', 'パスワードは Zq8mK2#x です。', `${REDACTED} です。`],
    ['German', 'Das Passwort ist Zq8mK2#x für den Server.', `Das ${REDACTED} für den Server.`],
  ])('hides a password given in %s', (_language, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('hides pass:, pw= and PIN values but not the ordinary words', () => {
    expect(redactText('wifi pass: Zq8%mK22 (guest)')).toBe(`wifi ${REDACTED} (guest)`);
    expect(redactText('login?user=ann&pw=Zq8@mK2')).toBe(`login?user=ann&${REDACTED}`);
    expect(redactText('Your card PIN: 482913, keep it safe.')).toBe(`Your card ${REDACTED}, keep it safe.`);
    expect(redactText('First pass: tokenize. Pin the tab.')).toBe('First pass: tokenize. Pin the tab.');
  });

  it('treats object keys in other languages as secret keys', () => {
    expect(redactValue({ contraseña: 'x', 'パスワード': 'y', pin: '1234', ciudad: 'Oslo' })).toEqual({
      contraseña: REDACTED,
      'パスワード': REDACTED,
      pin: REDACTED,
      ciudad: 'Oslo',
    });
  });
});

describe('redactText on wrapped and bare high-entropy secrets', () => {
  it('decodes base64 runs and hides those that hold a credential', () => {
    const userPass = Buffer.from('admin:Zq8mK2#x').toString('base64');
    const apiKey = Buffer.from(j('sk', '_live_', '51HxYzAbCdEfGhIjKlMnOpQrSt')).toString('base64');
    expect(redactText(`config blob ${userPass} decoded`)).toBe(`config blob ${REDACTED} decoded`);
    expect(redactText(`payload ${apiKey} uploaded`)).toBe(`payload ${REDACTED} uploaded`);
  });

  it('keeps base64 of ordinary text and hex identifiers', () => {
    const plain = Buffer.from('hello there, how are you').toString('base64');
    expect(redactText(`payload ${plain} uploaded`)).toBe(`payload ${plain} uploaded`);
  });

  it('hides a bare 40-character cloud secret key and a high-entropy token after a credential word', () => {
    expect(redactText(`copy ${awsSecret} into settings`)).toBe(`copy ${REDACTED} into settings`);
    expect(redactText('your session token is Xk9Lm2Qp7Rt4Vw8Zb3Nc please')).toBe(`your session token is ${REDACTED} please`);
  });
});

describe('secretTailStart', () => {
  it('points at a credential word still waiting for its value', () => {
    expect(secretTailStart('blah blah and the password is ')).toBe(18);
    expect(secretTailStart('api_key: ')).toBe(0);
    expect(secretTailStart('La contraseña es ')).toBe(3);
  });

  it('is -1 when the text ends in ordinary words', () => {
    expect(secretTailStart('the weather is fine ')).toBe(-1);
  });
});
