/**
 * The page's subscription handshake (src/ui/negotiation.js) in Chromium against the
 * reference agent: it asks for the browser's languages and the verbosity switch's
 * setting before its stream opens, renegotiates when the switch changes, names the
 * negotiated subscription in its replies, and falls back to English, saying so, when
 * none of the browser's languages is offered.
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceAgent } from '../../examples/reference-agent/ReferenceAgent.js';
import { expectNoAxeViolations, launchChromium } from '../helpers/chromium.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { sessionDone } from '../helpers/sseClient.js';

const TOKEN = 'page-negotiation-test-token';

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let harness: Harness | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, 30_000);

afterEach(async () => {
  await context?.close();
  context = undefined;
  await harness?.close();
  harness = undefined;
});

afterAll(async () => {
  await browser?.close();
});

type Sent = { url: string; body: Record<string, any> };

async function openPage(locale: string): Promise<{ h: Harness; page: Page; sent: Sent[]; streams: URL[] }> {
  let agent: ReferenceAgent | undefined;
  const h = await startHarness({ token: TOKEN, onUserInput: (text) => agent!.start(text).sessionId });
  harness = h;
  agent = new ReferenceAgent(h.tracer, { pace: 0.05 });
  context = await browser!.newContext({ locale, bypassCSP: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const sent: Sent[] = [];
  const streams: URL[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (request.method() === 'POST') sent.push({ url: url.pathname, body: request.postDataJSON() as Record<string, any> });
    else if (url.pathname === '/aaep/v1/events') streams.push(url);
  });
  await page.goto(`${h.server.url}/aaep/ui?access_token=${TOKEN}`);
  await page.locator('#connection', { hasText: /^Connected$/ }).waitFor({ timeout: 10_000 });
  return { h, page, sent, streams };
}

async function say(h: Harness, text: string): Promise<string> {
  const response = await h.post('/aaep/v1/messages', { kind: 'user_input', text });
  expect(response.status).toBe(202);
  return ((await response.json()) as { session_id: string }).session_id;
}

describe('the page negotiates its subscription', () => {
  it('asks for the browser\'s languages and the chosen verbosity, and renegotiates when the switch changes', async () => {
    const { h, page, sent } = await openPage('de-DE');
    const request = sent.find((s) => s.url === '/aaep/v1/subscriptions' && s.body.type === 'subscription.request')!;
    expect(request.body.capabilities).toEqual({
      preferred_verbosity: 'normal',
      supports_confirmation_reply: true,
      supports_clarification_reply: true,
      languages: expect.arrayContaining(['de-DE']),
    });
    // Offered: the agent's status phrases are German, and the log says which language each item is in.
    const sessionId = await say(h, 'Hello there');
    await h.client.waitFor(sessionDone(sessionId));
    const done = page.locator('#log li .text', { hasText: /^Fertig\.$/ });
    await done.waitFor();
    expect(await done.getAttribute('lang')).toBe('de');
    await page.getByLabel('Short').check();
    await expect.poll(() => sent.find((s) => s.body.type === 'subscription.renegotiate')?.body).toMatchObject({
      type: 'subscription.renegotiate',
      capabilities: { preferred_verbosity: 'terse' },
    });
    expect(sent.find((s) => s.body.type === 'subscription.renegotiate')!.body.subscription_id).toMatch(/^sub_/);
    await expectNoAxeViolations(page, 'negotiated');
  }, 30_000);

  it('names the negotiated subscription in the replies it sends', async () => {
    const { h, page, sent, streams } = await openPage('en-GB');
    const sessionId = await say(h, 'Send an email to Ada saying hi');
    const dialog = page.getByRole('dialog', { name: 'Confirm: Send an email to Ada' });
    await dialog.waitFor({ state: 'visible' });
    await page.locator('#confirm-accept').focus();
    await page.keyboard.press('Enter');
    await h.client.waitFor(sessionDone(sessionId));
    const reply = sent.find((s) => s.url === '/aaep/v1/replies')!;
    // Negotiated ids are the server's random ones; the page's own fallback ids start sub_web.
    expect(reply.body.subscription_id).toMatch(/^sub_[0-9a-f]{32}$/);
    expect(streams.map((url) => url.searchParams.get('subscription_id'))).toContain(reply.body.subscription_id);
  }, 30_000);

  it('says so and listens in English when none of the browser\'s languages is offered', async () => {
    const { h, page, sent } = await openPage('yo-NG');
    expect(sent.filter((s) => s.url === '/aaep/v1/subscriptions').map((s) => s.body.capabilities.languages)).toEqual([expect.arrayContaining(['yo-NG']), undefined]);
    await page.locator('#log li .text', { hasText: /None of your browser’s languages is offered here/ }).waitFor();
    const sessionId = await say(h, 'Hello there');
    await h.client.waitFor(sessionDone(sessionId));
    await page.locator('#log li .text', { hasText: /^Done\.$/ }).waitFor();
    // A renegotiation does not ask again for what was refused: the subscription stays.
    await page.getByLabel('Detailed').check();
    await expect.poll(() => sent.find((s) => s.body.type === 'subscription.renegotiate')?.body.capabilities).toEqual({
      preferred_verbosity: 'detailed',
      supports_confirmation_reply: true,
      supports_clarification_reply: true,
    });
    const again = await say(h, 'Hello again');
    await h.client.waitFor(sessionDone(again));
    await expect.poll(() => page.locator('#log li .text').count()).toBeGreaterThan(4);
    expect(await page.locator('#connection').textContent()).toBe('Connected');
  }, 30_000);
});
