/**
 * The web subscriber page (GET /aaep/ui) in a real browser: Debian's Chromium, driven by
 * playwright-core, against the reference agent on a real socket. What a screen-reader
 * user hears is read from the page's live regions; what a keyboard user can do is done
 * with page.keyboard only; axe-core checks the page idle and with a dialog open.
 *
 * AAEP_UI_SCREENSHOT=1 also saves docs/web-subscriber.png (the confirmation dialog).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceAgent } from '../../examples/reference-agent/ReferenceAgent.js';
import { UI_FILES, createUiRouter } from '../../src/http/createUiRouter.js';
import { confirmationReply, startHarness, type Harness } from '../helpers/harness.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';

// Only the functions passed to page.evaluate run in the browser; the project has no DOM types.
declare const window: any;
declare const document: any;

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TOKEN = 'web-subscriber-test-token';
const root = fileURLToPath(new URL('../../', import.meta.url));
const axeSource = readFileSync(join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');

interface Spoken {
  text: string;
  live: string;
  lang: string;
  inDialog: boolean;
}

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let harness: Harness | undefined;
let pageErrors: string[] = [];

afterEach(async () => {
  await context?.close();
  context = undefined;
  await harness?.close();
  harness = undefined;
});

/** The reference agent behind a token, and the page opened with that token in its address. */
async function openPage(
  options: { replyTimeoutSeconds?: number; bypassCSP?: boolean; before?: (h: Harness) => Promise<void> } = {},
): Promise<{ h: Harness; page: Page }> {
  let agent: ReferenceAgent | undefined;
  const h = await startHarness({ token: TOKEN, onUserInput: (text) => agent!.start(text).sessionId });
  harness = h;
  agent = new ReferenceAgent(h.tracer, { pace: 0.05, ...(options.replyTimeoutSeconds !== undefined && { replyTimeoutSeconds: options.replyTimeoutSeconds }) });
  // bypassCSP only where axe is injected as an inline script; elsewhere the page runs under its own policy.
  context = await browser!.newContext({ bypassCSP: options.bypassCSP ?? false, reducedMotion: 'reduce', viewport: { width: 960, height: 700 } });
  const page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await options.before?.(h);
  await page.goto(`${h.server.url}/aaep/ui?access_token=${TOKEN}`);
  await installRecorder(page);
  await page.locator('#connection', { hasText: /^Connected$/ }).waitFor({ timeout: 10_000 });
  return { h, page };
}

/** Records everything added to any live region, in order: what a screen reader would be told. */
async function installRecorder(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.spoken = [];
    new window.MutationObserver((records: any[]) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          const region = node.parentElement?.closest('[aria-live]');
          if (node.nodeType !== 1 || !region) continue;
          window.spoken.push({ text: node.textContent, live: region.getAttribute('aria-live'), lang: node.lang, inDialog: region.closest('dialog') !== null });
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}

async function say(h: Harness, text: string): Promise<string> {
  const response = await h.post('/aaep/v1/messages', { kind: 'user_input', text });
  expect(response.status).toBe(202);
  return ((await response.json()) as { session_id: string }).session_id;
}

const spoken = (page: Page): Promise<Spoken[]> => page.evaluate(() => window.spoken);
const logTexts = (page: Page): Promise<string[]> => page.locator('#log li .text').allTextContents();
const focusedId = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');
const focusInside = (page: Page, selector: string): Promise<boolean> =>
  page.evaluate((s: string) => document.querySelector(s).contains(document.activeElement), selector);

async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations: { id: string; help: string; nodes: { target: unknown }[] }[] = await page.evaluate(async () => (await window.axe.run(document)).violations);
  expect(violations.map((v) => `${state}: ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

/** What the page should say for a session: each summary_normal, output a sentence at a time. */
function expectedSpeech(events: WireEvent[]): string[] {
  return events.flatMap((event) => {
    if (event.type === 'aaep:agent.awaiting.confirmation') return []; // the dialog taking focus says it
    if (event.type === 'aaep:agent.output.streaming') return String(event.chunk).split(/(?<=[.!?])\s+/).map((s) => s.trim()).filter(Boolean);
    return [String(event.summary_normal)];
  });
}

describe('the web subscriber page (GET /aaep/ui) in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing. The web subscriber test drives Debian's Chromium; install it with\n` +
          '  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium\n' +
          '(.ci/run installs it in CI).',
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('announces a session in order, asks in a keyboard-operable dialog, and passes axe idle and with the dialog open', async () => {
    const { h, page } = await openPage({ bypassCSP: true });
    await expectNoAxeViolations(page, 'idle');

    // Where the user was before the agent asked: focus must come back here.
    await page.focus('#ask-text');
    const sessionId = await say(h, 'Send an email to Ada saying hi');

    const dialog = page.getByRole('dialog', { name: 'Confirm: Send an email to Ada' });
    await dialog.waitFor({ state: 'visible' });
    expect(await focusInside(page, '#confirm-dialog')).toBe(true);
    expect(await focusedId(page)).toBe('confirm-reject'); // the least destructive choice first
    const confirmation = h.client.events.find((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation')!;
    const description = await page.evaluate(() => {
      const ids: string[] = document.querySelector('#confirm-dialog').getAttribute('aria-describedby').split(' ');
      return ids.map((id) => document.getElementById(id).textContent).join(' ');
    });
    expect(description).toContain(String(confirmation.consequence));
    expect(description).toContain('Risk: medium.');
    expect(description).toContain('If you do not answer in time, it will not happen.');
    expect(await page.locator('#confirm-time').textContent()).toMatch(/^About 1 minute 30 seconds left to answer\.$/);
    await expectNoAxeViolations(page, 'dialog open');
    if (process.env.AAEP_UI_SCREENSHOT) await page.screenshot({ path: join(root, 'docs/web-subscriber.png') });

    // Keyboard only: Tab and Shift+Tab stay inside the dialog; Enter on Accept answers.
    for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Tab']) {
      await page.keyboard.press(key);
      expect(await focusInside(page, '#confirm-dialog')).toBe(true);
    }
    for (let i = 0; i < 3 && (await focusedId(page)) !== 'confirm-accept'; i++) await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('confirm-accept');
    await page.keyboard.press('Enter');

    // The reply (carrying the page's token cookie) reached the agent: the tool ran.
    await h.client.waitFor((events) =>
      events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.tool.invoked' && e.tool === 'send_email') &&
      events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.tool.completed' && e.tool === 'send_email' && e.status === 'success'),
    );
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    expect(await focusedId(page)).toBe('ask-text');

    await h.client.waitFor(sessionDone(sessionId));
    const events = h.client.events.filter((e) => e.session_id === sessionId);
    await page.locator('#log li .text', { hasText: /^Done\.$/ }).waitFor();
    // The log holds every event in order; output as one item per answer.
    expect(await logTexts(page)).toEqual(events.map((e) => String(e.type === 'aaep:agent.output.streaming' ? e.chunk : e.summary_normal)));
    // The live regions were told the same, in the same order, in the events' language.
    const heard = await spoken(page);
    expect(heard.map((s) => s.text)).toEqual(expectedSpeech(events));
    expect(heard.every((s) => s.lang === 'en' && s.live === 'polite')).toBe(true);
    expect(heard.find((s) => s.text.startsWith('You accepted'))).toMatchObject({ inDialog: false });

    await expectNoAxeViolations(page, 'after the session');
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('opened while a confirmation is pending, shows its dialog with the time left, and runs the tool on a keyboard accept', async () => {
    let sessionId = '';
    let original: WireEvent | undefined;
    const { h, page } = await openPage({
      bypassCSP: true,
      replyTimeoutSeconds: 20,
      async before(h) {
        sessionId = await say(h, 'Send an email to Ada saying hi');
        await h.client.waitFor((events) => events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation'));
        original = h.client.events.find((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation');
        // Long enough that the time left is less than the question's whole timeout.
        await new Promise((resolve) => setTimeout(resolve, 1_100));
      },
    });
    const dialog = page.getByRole('dialog', { name: 'Confirm: Send an email to Ada' });
    await dialog.waitFor({ state: 'visible' });
    expect(await focusInside(page, '#confirm-dialog')).toBe(true);
    expect(await page.locator('#log-empty').isHidden()).toBe(true);
    expect(await page.locator('#confirm-consequence').textContent()).toBe(String(original!.consequence));
    const left = Number((await page.locator('#confirm-time').textContent())?.match(/^About (\d+) seconds? left to answer\.$/)?.[1]);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(Number(original!.timeout_seconds));
    // Where the session stood was logged before the question: how it started.
    expect((await logTexts(page))[0]).toBe(String(h.client.events.find((e) => e.session_id === sessionId)!.summary_normal));
    await expectNoAxeViolations(page, 'dialog opened by a catch-up');

    for (let i = 0; i < 3 && (await focusedId(page)) !== 'confirm-accept'; i++) await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('confirm-accept');
    await page.keyboard.press('Enter');
    await h.client.waitFor((events) =>
      events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.tool.completed' && e.tool === 'send_email' && e.status === 'success'),
    );
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    await h.client.waitFor(sessionDone(sessionId));
    await page.locator('#log li .text', { hasText: /^Done\.$/ }).waitFor();
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('isolates the agent\'s words, so a right-to-left override in them cannot reorder the page\'s own', async () => {
    const { h, page } = await openPage();
    const sessionId = await say(h, 'Hello \u202Eevil text');
    await h.client.waitFor(sessionDone(sessionId));
    const item = page.locator('#log li').first();
    await item.waitFor();
    expect(await item.locator('.text').textContent()).toContain('\u202E');
    const text = (await item.locator('.text').boundingBox())!;
    const time = (await item.locator('time').boundingBox())!;
    // Without isolation the override runs on to the end of the line and puts the time first.
    expect(time.x).toBeGreaterThan(text.x + text.width - 1);
    const notIsolated: string[] = await page.evaluate(() =>
      [...document.querySelectorAll('#log .text, [aria-live] p, #confirm-action, #confirm-consequence, #clarify-title, #clarify-context, #handoff-text')]
        .filter((element: any) => element.textContent !== '' && window.getComputedStyle(element).unicodeBidi !== 'isolate')
        .map((element: any) => element.outerHTML),
    );
    expect(notIsolated).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('answers a question with the keyboard, remembers the verbosity, and announces a hand-off assertively', async () => {
    const { h, page } = await openPage();

    // The verbosity switch is a radio group: arrow keys choose, the choice survives a reload.
    await page.focus('input[name="verbosity"][value="normal"]');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('input[name="verbosity"]:checked').getAttribute('value')).toBe('detailed');
    await page.reload();
    await page.locator('#connection', { hasText: /^Connected$/ }).waitFor();
    expect(await page.locator('input[name="verbosity"]:checked').getAttribute('value')).toBe('detailed');
    await installRecorder(page);

    await page.focus('#log-region');
    const sessionId = await say(h, "What's the weather like?");
    const dialog = page.getByRole('dialog', { name: 'Which city should I check the weather for?' });
    await dialog.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.activeElement.textContent)).toBe('Oslo');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.textContent)).toBe('Bergen');
    await page.keyboard.press('Enter');
    await h.client.waitFor((events) => events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.tool.invoked' && String(e.args_summary).includes('Bergen')));
    await dialog.waitFor({ state: 'hidden' });
    expect(await focusedId(page)).toBe('log-region');
    await h.client.waitFor(sessionDone(sessionId));

    await say(h, 'I want to talk to a human');
    const handoff = h.client.events.length;
    await h.client.waitFor((events) => events.slice(handoff).some((e) => e.type === 'aaep:agent.handoff.requested'));
    const request = h.client.events.slice(handoff).find((e) => e.type === 'aaep:agent.handoff.requested')!;
    await page.locator('#handoff').waitFor({ state: 'visible' });
    expect(await page.locator('#handoff-text').textContent()).toContain(String(request.summary_detailed));
    await page.waitForFunction((text: string) => window.spoken.some((s: Spoken) => s.text === text && s.live === 'assertive'), String(request.summary_detailed));
    // The producer ends the stream: the page says so, and EventSource reconnects on its own.
    await h.aaep.shutdown();
    await page.locator('#connection', { hasText: /^Reconnecting…$/ }).waitFor({ timeout: 5_000 });
    // The page ran under its own Content-Security-Policy without complaint.
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('closes the dialog by itself when the question is settled elsewhere, and tells the time left once, at half time', async () => {
    const { h, page } = await openPage({ replyTimeoutSeconds: 4 });
    await page.focus('#ask-text');

    // Nobody answers: "Delete record 42" is irreversible and high risk, so it does not happen.
    const first = await say(h, 'Delete record 42');
    await page.locator('#confirm-dialog[open]').waitFor();
    expect(await page.locator('#confirm-risk').textContent()).toBe('Risk: high. This cannot be undone.');
    await h.client.waitFor((events) => events.some((e) => e.session_id === first && e.from_state === 'awaiting_input'));
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    expect(await focusedId(page)).toBe('ask-text');
    const halfTime = (await spoken(page)).filter((s) => s.inDialog && /half the time|2 seconds left/i.test(s.text));
    expect(halfTime).toHaveLength(1);
    // What settled it is said on the page, not in the dialog that closed.
    expect((await spoken(page)).find((s) => s.text.startsWith('No answer in time'))).toMatchObject({ inDialog: false });

    // Another subscriber answers: the dialog here closes and focus comes back.
    const second = await say(h, 'Book a meeting room for 3pm');
    await page.locator('#confirm-dialog[open]').waitFor();
    const token = String(h.client.events.find((e) => e.session_id === second && e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    expect((await h.post('/aaep/v1/replies', confirmationReply(token, 'reject'))).status).toBe(204);
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    expect(await focusedId(page)).toBe('ask-text');
    await h.client.waitFor(sessionDone(second));
    expect(h.client.events.filter((e) => e.session_id === second).map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');

    // Escape rejects.
    const third = await say(h, 'Post a message to #general: deploy done');
    await page.locator('#confirm-dialog[open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    expect(await focusedId(page)).toBe('ask-text');
    await h.client.waitFor(sessionDone(third));
    const thirdEvents = h.client.events.filter((e) => e.session_id === third);
    expect(thirdEvents.find((e) => e.from_state === 'awaiting_input')?.summary_normal).toMatch(/^You declined/);
    expect(thirdEvents.map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('announces output streamed token by token a sentence at a time, in the language of the event', async () => {
    // A producer that streams tiny chunks, as a model does without aaep-otel's coalescing.
    const app = express();
    app.use(createUiRouter());
    const streams: Response[] = [];
    app.get('/aaep/v1/events', (_req, res) => {
      res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' }).flushHeaders();
      streams.push(res);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      context = await browser!.newContext({ reducedMotion: 'reduce' });
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/aaep/ui`);
      await installRecorder(page);
      await page.locator('#connection', { hasText: /^Connected$/ }).waitFor();
      const chunks = ['Det er ', 'mildt i', ' Oslo. T', 'a med en ', 'jakke', '!'];
      for (const [n, chunk] of chunks.entries()) {
        const event = {
          type: 'aaep:agent.output.streaming',
          event_id: `evt_out${n}`,
          session_id: 'sess_hand1',
          localization_hints: { primary_language: 'nb' },
          chunk,
          position: n,
          complete: n === chunks.length - 1,
          output_id: 'out_hand1',
        };
        streams[0]!.write(`event: aaep.event\nid: ${event.event_id}\ndata: ${JSON.stringify(event)}\n\n`);
        await page.waitForTimeout(20);
      }
      await page.waitForFunction(() => window.spoken.length >= 2);
      expect(await spoken(page)).toEqual([
        { text: 'Det er mildt i Oslo.', live: 'polite', lang: 'nb', inDialog: false },
        { text: 'Ta med en jakke!', live: 'polite', lang: 'nb', inDialog: false },
      ]);
      expect(await logTexts(page)).toEqual(['Det er mildt i Oslo. Ta med en jakke!']);
      expect(await page.locator('#log li .text').getAttribute('lang')).toBe('nb');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  describe("the page's token", () => {
    it('lives in an HttpOnly, SameSite=Strict cookie the script cannot read, and leaves the address', async () => {
      const { page } = await openPage();
      expect(new URL(page.url()).searchParams.has('access_token')).toBe(false);
      const cookies = await context!.cookies();
      expect(cookies).toEqual([expect.objectContaining({ name: 'aaep_token', value: TOKEN, httpOnly: true, sameSite: 'Strict', path: '/aaep' })]);
      expect(await page.evaluate(() => document.cookie)).toBe('');
    });

    it("cannot be used by another site's page: its form post and no-cors fetch start nothing and are refused", async () => {
      const { h, page } = await openPage();
      const sessionsBefore = h.client.events.filter((e) => e.type === 'aaep:agent.session.started').length;
      // Another port of the same host: the same site, so the Strict cookie goes along; only the origin check stops it.
      const attacker = express();
      attacker.get('/', (_req, res: Response) => {
        res.type('html').send(`<!doctype html><title>Win a prize</title>
<form method="post" enctype="text/plain" action="${h.server.url}/aaep/v1/messages"><input name='{"kind":"user_input","text":"Send my savings","x":"' value='"}'></form>
<script>
  fetch(${JSON.stringify(`${h.server.url}/sessions`)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: '{"user_message":"Send my savings"}' })
    .finally(() => document.forms[0].submit());
</script>`);
      });
      const server = attacker.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const refused = page.waitForResponse((response) => response.url() === `${h.server.url}/aaep/v1/messages`);
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        const response = await refused;
        expect(response.status()).toBe(403);
        expect(await response.json()).toMatchObject({ error: 'forbidden' });
        expect(await response.request().headerValue('cookie')).toBe(`aaep_token=${TOKEN}`);
        expect(h.client.events.filter((e) => e.type === 'aaep:agent.session.started')).toHaveLength(sessionsBefore);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });
});

describe('GET /aaep/ui and its files', () => {
  it('serves the page publicly and its script and style with their types, uncached; nothing else', async () => {
    const h = await startHarness({ token: TOKEN });
    harness = h;
    const page = await fetch(`${h.server.url}/aaep/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="ui/aaep-ui.js">');
    // Every module of the page is listed, so none is missing when the browser imports it.
    const pageFiles = readdirSync(join(root, 'src/ui')).filter((file) => /\.(js|css)$/.test(file));
    expect(Object.keys(UI_FILES).sort()).toEqual(pageFiles.sort());
    for (const [file, type] of Object.entries(UI_FILES)) {
      expect(type).toBe(file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      const response = await fetch(`${h.server.url}/aaep/ui/${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(readFileSync(join(root, 'src/ui', file), 'utf8'));
    }
    for (const path of ['index.html', 'SessionLabels.d.ts', '..%2Fhttp%2FcreateUiRouter.ts', '%2E%2E', 'package.json']) {
      expect((await fetch(`${h.server.url}/aaep/ui/${path}`)).status).toBe(404);
    }
    const slash = await fetch(`${h.server.url}/aaep/ui/?access_token=x`, { redirect: 'manual' });
    expect(slash.status).toBe(301);
    expect(new URL(slash.headers.get('location')!, `${h.server.url}/aaep/ui/`).href).toBe(`${h.server.url}/aaep/ui?access_token=x`);
  });

  it('has page scripts that type-check (JSDoc, strict, DOM), each under 400 lines', () => {
    const files = readdirSync(join(root, 'src/ui')).filter((file) => file.endsWith('.js')).map((file) => join(root, 'src/ui', file));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('// @ts-check\n'), file).toBe(true);
      expect(text.split('\n').length, file).toBeLessThanOrEqual(400);
    }
    const program = ts.createProgram(files, {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      strict: true,
      noUncheckedIndexedAccess: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
      skipLibCheck: true,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  }, 30_000);
});
