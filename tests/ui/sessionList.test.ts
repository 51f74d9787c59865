/**
 * The "Open sessions" list of the web page (src/ui/sessionList.js) in Chromium, with two
 * sessions of one user (signed in with her own token, not the operator's) running at once
 * on the reference agent, beside another user's session she must not see: what is announced
 * names its session, the list shows both with their states, and each pending question
 * is answered from the list with the keyboard only.
 *
 * AAEP_UI_SCREENSHOT=1 also saves docs/web-subscriber-sessions.png (both sessions waiting).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceAgent } from '../../examples/reference-agent/ReferenceAgent.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { sessionDone } from '../helpers/sseClient.js';

// Only the functions passed to page.evaluate run in the browser; the project has no DOM types.
declare const window: any;
declare const document: any;

const CHROMIUM = '/usr/bin/chromium';
const OPERATOR = 'session-list-operator-token';
const ADA = 'session-list-ada-token';
const BOB = 'session-list-bob-token';
const root = fileURLToPath(new URL('../../', import.meta.url));
const axeSource = readFileSync(join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');

let browser: Browser | undefined;
let harness: Harness | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it).`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
}, 30_000);

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

afterAll(async () => {
  await browser?.close();
});

async function say(h: Harness, text: string, as = ADA): Promise<string> {
  const response = await h.post('/aaep/v1/messages', { kind: 'user_input', text }, { Authorization: `Bearer ${as}` });
  expect(response.status).toBe(202);
  return ((await response.json()) as { session_id: string }).session_id;
}

async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations: { id: string; nodes: { target: unknown }[] }[] = await page.evaluate(async () => (await window.axe.run(document)).violations);
  expect(violations.map((v) => `${state}: ${v.id} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

/** What has focus: a button's text and the label of the session it belongs to. */
const focused = (page: Page): Promise<{ id: string; text: string; session: string }> =>
  page.evaluate(() => {
    const active = document.activeElement;
    return { id: active?.id ?? '', text: active?.textContent ?? '', session: active?.closest('#session-list li')?.querySelector('.session-label')?.textContent ?? '' };
  });

/** Presses Tab (only the keyboard) until `button` of `session`'s list item has focus. */
async function tabTo(page: Page, session: string, button: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const now = await focused(page);
    if (now.session === session && now.text === button) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${button} of ${session}`);
}

const items = (page: Page) =>
  page.locator('#session-list li').evaluateAll((lis: any[]) =>
    lis.map((li) => ({
      label: li.querySelector('.session-label').textContent,
      state: li.querySelector('.session-state').textContent,
      question: li.querySelector('.session-question p')?.textContent ?? '',
      buttons: [...li.querySelectorAll('button')].map((b: any) => b.textContent),
    })),
  );

/** The reference agent behind a token, and the page opened with it, recording what its live regions are told. */
async function openPage() {
  let agent: ReferenceAgent | undefined;
  const h = await startHarness({ token: OPERATOR, listeners: { tokens: { [ADA]: 'ada', [BOB]: 'bob' } }, onUserInput: (text, from) => agent!.start(text, from.principal).sessionId });
  harness = h;
  agent = new ReferenceAgent(h.tracer, { pace: 0.05 });
  // bypassCSP only so that axe can be injected as an inline script.
  const context = await browser!.newContext({ bypassCSP: true, reducedMotion: 'reduce', viewport: { width: 960, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${h.server.url}/aaep/ui?access_token=${ADA}`);
  await page.evaluate(() => {
    window.spoken = [];
    new window.MutationObserver((records: any[]) => {
      for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1 && node.parentElement?.closest('[aria-live]')) window.spoken.push(node.textContent);
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.locator('#connection', { hasText: /^Connected$/ }).waitFor();
  return { h, page, context, pageErrors };
}

/** Two requests of one listener at once, each asking before it goes on; resolves their session ids once both asked. */
async function twoWaitingSessions(h: Harness, first: string, second: string): Promise<[string, string]> {
  const ids = await Promise.all([say(h, first), say(h, second)]);
  const asked = (sessionId: string) => h.client.events.some((e) => e.session_id === sessionId && e.type.startsWith('aaep:agent.awaiting.'));
  await h.client.waitFor(() => ids.every(asked));
  return ids as [string, string];
}

describe('the Open sessions list of the web page', () => {
  it('names the speaking session while two run at once, shows both with their states, and answers either from the list by keyboard', async () => {
    const { h, page, context, pageErrors } = await openPage();
    expect(await page.locator('#sessions-empty').isVisible()).toBe(true);
    await page.focus('#ask-text');

    // Two requests of one listener at once; both stop to ask before acting.
    const [email, room] = await twoWaitingSessions(h, 'Send an email to Ada saying hi', 'Book a meeting room for 3pm');
    // Bob's session asks too: Ada's page neither lists nor says anything of it.
    const bobs = await say(h, "What's the weather like?", BOB);
    await h.client.waitFor((events) => events.some((e) => e.session_id === bobs && e.type === 'aaep:agent.awaiting.clarification'));

    // "Not now" leaves the first question open and shows the other, which says which task asks; then back to the page.
    const dialog = page.locator('#confirm-dialog');
    await dialog.waitFor({ state: 'visible' });
    const firstAction = await page.locator('#confirm-action').textContent();
    expect((await focused(page)).id).toBe('confirm-reject');
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('confirm-dismiss');
    await page.keyboard.press('Enter');
    await page.locator('#confirm-action').filter({ hasNotText: String(firstAction) }).waitFor();
    expect(await page.locator('#confirm-session').textContent()).toMatch(/^Asked by: (Send an email|Book a meeting)\.$/);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    expect((await focused(page)).id).toBe('ask-text');

    // The list shows both, with their states and what each asks.
    await page.locator('#session-list li button', { hasText: 'Accept' }).nth(1).waitFor();
    expect(await items(page)).toEqual(
      expect.arrayContaining([
        { label: 'Send an email', state: 'waiting for your answer', question: expect.stringMatching(/^Confirm: Send an email to Ada/), buttons: ['Accept', 'Reject'] },
        { label: 'Book a meeting', state: 'waiting for your answer', question: expect.stringMatching(/^Confirm: Book a meeting room/), buttons: ['Accept', 'Reject'] },
      ]),
    );
    expect(await page.locator('#session-list li').count()).toBe(2);
    expect(await page.locator('#sessions-empty').isVisible()).toBe(false);
    await expectNoAxeViolations(page, 'two sessions waiting');
    if (process.env.AAEP_UI_SCREENSHOT) await page.locator('#sessions').screenshot({ path: join(root, 'docs/web-subscriber-sessions.png') });

    // Keyboard only: Enter on the room's Accept, then Space on the email's Reject.
    await tabTo(page, 'Book a meeting', 'Accept');
    await page.keyboard.press('Enter');
    await h.client.waitFor((events) => events.some((e) => e.session_id === room && e.type === 'aaep:agent.tool.completed' && e.tool === 'book_meeting_room' && e.status === 'success'));
    // Answered: its buttons go (and, once it ends, its item), and focus stays in the list instead of being lost.
    await page.locator('#session-list li', { hasText: 'Book a meeting' }).locator('button').first().waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.closest('#sessions') !== null)).toBe(true);
    await tabTo(page, 'Send an email', 'Reject');
    await page.keyboard.press('Space');
    await h.client.waitFor((events) => events.some((e) => e.session_id === email && e.from_state === 'awaiting_input'));
    await h.client.waitFor(sessionDone(email));
    await h.client.waitFor(sessionDone(room));
    const emailEvents = h.client.events.filter((e) => e.session_id === email);
    expect(emailEvents.find((e) => e.from_state === 'awaiting_input')?.summary_normal).toMatch(/^You declined/);
    expect(emailEvents.map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');

    // What was said named its session while both were open, and the log did too.
    // The page speaks what the stream brought a moment after our own client heard it.
    await page.waitForFunction(() => window.spoken.some((text: string) => text.includes('You declined')));
    const heard: string[] = await page.evaluate(() => window.spoken);
    expect(heard.filter((text) => /weather/i.test(text))).toEqual([]);
    expect(await page.locator('#log li', { hasText: /weather/i }).count()).toBe(0);
    expect(heard.some((text) => text.startsWith('Book a meeting: You accepted'))).toBe(true);
    // The email's answer may come after the room's session ended: then it speaks alone, unlabelled.
    expect(heard.some((text) => /^(Send an email: )?You declined/.test(text))).toBe(true);
    expect(await page.locator('#log li .session', { hasText: 'Book a meeting:' }).count()).toBeGreaterThan(0);

    // Both ended: the list is empty again.
    await page.locator('#sessions-empty').waitFor({ state: 'visible' });
    expect(await page.locator('#session-list li').count()).toBe(0);
    await expectNoAxeViolations(page, 'both sessions done');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it("opens a question's dialog from the list with the keyboard, and the agent gets the choice", async () => {
    const { h, page, context, pageErrors } = await openPage();
    await page.focus('#ask-text');
    const [weather, email] = await twoWaitingSessions(h, "What's the weather like?", 'Send an email to Ada saying hi');
    // Both dialogs put aside: Escape on the question, "Not now" on the confirmation.
    for (let i = 0; i < 2; i++) {
      await page.locator('dialog[open]').waitFor();
      if (await page.locator('#clarify-dialog').isVisible()) {
        await page.keyboard.press('Escape');
      } else {
        for (let tabs = 0; tabs < 3 && (await focused(page)).id !== 'confirm-dismiss'; tabs++) await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
      }
    }
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    expect(await items(page)).toEqual(
      expect.arrayContaining([
        { label: "What's the weather", state: 'waiting for your answer', question: expect.stringMatching(/^Question: Which city/), buttons: ['Answer'] },
        { label: 'Send an email', state: 'waiting for your answer', question: expect.stringMatching(/^Confirm: /), buttons: ['Accept', 'Reject'] },
      ]),
    );

    await tabTo(page, "What's the weather", 'Answer');
    await page.keyboard.press('Enter');
    await page.locator('#clarify-dialog').waitFor({ state: 'visible' });
    expect(await page.locator('#clarify-session').textContent()).toBe("Asked by: What's the weather.");
    // Focus starts on the first choice, Oslo.
    await page.keyboard.press('Enter');
    await h.client.waitFor((events) => events.some((e) => e.session_id === weather && e.type === 'aaep:agent.tool.invoked' && e.tool === 'get_weather'));
    await page.locator('#clarify-dialog').waitFor({ state: 'hidden' });

    await tabTo(page, 'Send an email', 'Accept');
    await page.keyboard.press('Space');
    await h.client.waitFor((events) => events.some((e) => e.session_id === email && e.type === 'aaep:agent.tool.completed' && e.tool === 'send_email'));
    await expectNoAxeViolations(page, 'after answering from the list');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
