/** Secret shapes that must never reach the wire, with the context they usually appear in. */
export const SECRET_CORPUS: ReadonlyArray<{ name: string; secret: string; inText: string }> = [
  { name: 'OpenAI key', secret: 'sk-proj-Q2x9LmN4vB7tR1yZ0pW8kJ3hG6fD5sA', inText: 'use key sk-proj-Q2x9LmN4vB7tR1yZ0pW8kJ3hG6fD5sA for this' },
  { name: 'Anthropic key', secret: 'sk-ant-api03-Zq8Xw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf9Ed8Cb7', inText: 'ANTHROPIC_API_KEY is sk-ant-api03-Zq8Xw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf9Ed8Cb7' },
  { name: 'AWS access key id', secret: 'AKIAIOSFODNN7EXAMPLE', inText: 'aws id AKIAIOSFODNN7EXAMPLE in the config' },
  { name: 'GitHub token', secret: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', inText: 'clone with ghp_16C7e42F292c6912E7710c838347Ae178B4a please' },
  { name: 'Slack token', secret: 'xoxb-2048-4096-AbCdEfGhIjKlMnOpQrStUv', inText: 'slack bot xoxb-2048-4096-AbCdEfGhIjKlMnOpQrStUv' },
  { name: 'Google API key', secret: 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY', inText: 'maps key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY' },
  { name: 'Stripe secret key', secret: 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr', inText: 'charge with sk_live_51HxYzAbCdEfGhIjKlMnOpQr now' },
  { name: 'bearer header', secret: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', inText: 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' },
  { name: 'basic auth', secret: 'YWxhZGRpbjpvcGVuc2VzYW1l', inText: 'Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l' },
  { name: 'password in URL', secret: 'Tr0ub4dor-3', inText: 'connect to postgres://admin:Tr0ub4dor-3@db.internal:5432/app' },
  { name: 'password pair', secret: 'correct-horse-42', inText: 'login with password=correct-horse-42 then continue' },
  { name: 'spoken password', secret: 'hunter2-Secret!', inText: 'my password is hunter2-Secret! ok' },
  { name: 'api_key pair', secret: 'a8f5f167f44f4964e6c998dee827110c', inText: 'api_key: a8f5f167f44f4964e6c998dee827110c' },
  { name: 'JWT', secret: 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhY21lIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU', inText: 'session eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhY21lIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU expired' },
  { name: 'private key', secret: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', inText: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----' },
];
