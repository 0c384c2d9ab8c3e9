// Likeperson browser suite: crawls the app as each role at desktop and phone
// size with axe-core and structural checks, and runs keyboard-only flows.
// Run: node --test suite.test.mjs   (see README.md)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from './lib/server.mjs';
import { launchBrowser, newContext, signIn, instrument, PASSWORD } from './lib/browser.mjs';
import { visitAndCheck, pathPattern } from './lib/crawl.mjs';
import { runAxe } from './lib/checks.mjs';
import { HtmlValidator } from './lib/vnu.mjs';
import { focusTop, tabTo, describeFocus, liveRegionText, menuLink, fillFormByKeyboard } from './lib/keyboard.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MAX_PAGES = Number(process.env.CRAWL_MAX_PAGES || 60);
// CRAWL_EVERY_PAGE=1: every distinct path and query, not one page per path pattern
// (a slow, exhaustive run by hand, e.g. for the HTML check; CI keeps one per pattern)
const crawlKey = process.env.CRAWL_EVERY_PAGE ? (url) => url.split('#')[0] : pathPattern;
const SCREENSHOTS = process.env.SCREENSHOTS ? resolve(process.env.SCREENSHOTS) : null;
const LONG = { timeout: 30 * 60 * 1000 };

const ACCOUNTS = [
  ['mentor', 'nhf'], ['coordinator', 'nhf'], ['admin', 'nhf'],
  ['mentor', 'blindeforbundet'], ['coordinator', 'blindeforbundet'], ['admin', 'blindeforbundet'],
].map(([role, org]) => ({ role, org, email: `${role}@${org}.example`, who: `${role}-${org}` }))
  .concat([
    { role: 'global', org: 'likeperson', email: 'global@likeperson.example', who: 'global-likeperson' },
    // the pages a signed-out visitor sees: sign-in, forgotten password, ...
    { role: 'anonymous', org: 'public', email: null, who: 'anonymous-public', start: '/login' },
  ]);
const ROLES = process.env.ROLES
  ? ACCOUNTS.filter((a) => process.env.ROLES.split(',').some((r) => (a.email || "").startsWith(r.trim()) && r.trim() !== "" || a.who === r.trim()))
  : ACCOUNTS;

const report = { started: Date.now(), pages: {}, pageLoads: 0, flows: [], findings: [] };
let server;
let browser;
const validator = new HtmlValidator();
const sessions = new Map();

/** Signs in once per account and reuses the session cookie (sign-in is rate limited). */
async function sessionFor(email) {
  if (!sessions.has(email)) {
    const ctx = await newContext(browser, server.baseURL, 'desktop');
    try { sessions.set(email, await signIn(ctx, email)); } finally { await ctx.close(); }
  }
  return sessions.get(email);
}

async function signedInPage(email, size = 'desktop') {
  const ctx = await newContext(browser, server.baseURL, size, await sessionFor(email));
  const page = await ctx.newPage();
  instrument(page);
  return { ctx, page };
}

class Skip extends Error {}

function assertServerAlive() {
  if (server?.exited) {
    const e = new Error(`the likeperson server is gone (exit code ${server.exited.code}, signal ${server.exited.signal}); its log is printed at the end`);
    e.stack = e.message;
    throw e;
  }
}

/** A keyboard flow: records passed / failed / skipped (with reason) for the report. */
function flow(name, who, fn) {
  test(`${name} (${who})`, LONG, async (t) => {
    const entry = { name, who, status: 'running' };
    report.flows.push(entry);
    const t0 = Date.now();
    const skip = (reason) => { entry.status = 'skipped'; entry.reason = reason; t.skip(reason); throw new Skip(reason); };
    try {
      assertServerAlive();
      await fn(t, skip);
      entry.status = 'passed';
    } catch (e) {
      if (e instanceof Skip) return;
      entry.status = 'failed';
      report.findings.push({ who, page: `flow: ${name}`, size: 'desktop', kind: 'flow', message: e.message.split('\n')[0] });
      entry.reason = e.message.split('\n').map((l) => l.trim()).filter((l) => l && !/^[-+] \[?\]?$|actual - expected|^\+ \[$/.test(l)).slice(0, 3).join(' / ').slice(0, 400);
      throw e;
    } finally {
      entry.seconds = (Date.now() - t0) / 1000;
    }
  });
}

/** Console errors, uncaught exceptions and CSP violations since the last reset. */
async function assertCleanLogs(page, what, { ignoreHttpErrors = false } = {}) {
  const logs = await page.__log.take();
  const errs = [
    ...logs.csp.map((m) => `csp: ${m}`),
    ...logs.pageErrors.map((m) => `js-exception: ${m}`),
    ...logs.consoleErrors.filter((m) => !(ignoreHttpErrors && /Failed to load resource: the server responded with a status of 4\d\d/.test(m))).map((m) => `console-error: ${m}`),
  ];
  for (const m of errs) report.findings.push({ who: what, page: page.url(), size: 'desktop', kind: m.split(':')[0], message: m });
  assert.deepEqual(errs, [], `${what}: console/CSP problems`);
}

async function assertNoSeriousAxe(page, what) {
  const v = await runAxe(page);
  const lines = v.flatMap((x) => x.nodes.map((n) => `axe ${x.impact} ${x.id}: ${n.target} — ${x.help}. ${n.summary}`));
  for (const l of lines) report.findings.push({ who: what, page: new URL(page.url()).pathname, size: 'desktop', kind: 'axe', message: l });
  assert.deepEqual(lines, [], `${what}: axe violations after the flow`);
}

/** Marks the first element matching `selector` whose text matches `re` with data-e2e=NAME. */
async function markButton(page, scope, re, name) {
  return page.evaluate(({ scope, src, flags, name }) => {
    const re = new RegExp(src, flags);
    document.querySelectorAll(`[data-e2e="${name}"]`).forEach((e) => e.removeAttribute('data-e2e'));
    const el = [...document.querySelectorAll(`${scope} button, ${scope} input[type=submit]`)]
      .find((b) => re.test((b.textContent || b.value || '').trim()) || re.test(b.getAttribute('aria-label') || ''));
    if (!el) return null;
    el.setAttribute('data-e2e', name);
    return { text: (el.textContent || el.value).trim(), htmx: ['hx-post', 'hx-put', 'hx-patch', 'hx-delete'].some((a) => el.hasAttribute(a) || el.closest(`form[${a}]`)) };
  }, { scope, src: re.source, flags: re.flags, name });
}

/**
 * Presses Enter on the focused control and waits for the POST it sends and for
 * the resulting navigation or htmx swap to settle. Returns { status, navigated }.
 */
async function pressAndSettle(page) {
  const before = page.url();
  const respP = page.waitForResponse((r) => r.request().method() !== 'GET', { timeout: 15_000 });
  await page.keyboard.press('Enter');
  const resp = await respP;
  await page.waitForLoadState('load');
  await page.waitForTimeout(400); // htmx settle (20 ms) plus focus management
  await page.waitForLoadState('load');
  return { status: resp.status(), url: resp.url(), navigated: page.url() !== before, resp };
}

async function postErrors(page) {
  return page.evaluate(() => [...document.querySelectorAll('[aria-invalid=true], .error, .field-error, [role=alert]')]
    .map((e) => (e.getAttribute('name') ? `${e.getAttribute('name')}: ` : '') + (e.textContent || '').trim().replace(/\s+/g, ' ')).filter(Boolean).slice(0, 10));
}

function printReport() {
  const seconds = (Date.now() - report.started) / 1000;
  const byKind = {};
  for (const f of report.findings) byKind[f.kind.split(' ').slice(0, 3).join(' ')] = (byKind[f.kind.split(' ').slice(0, 3).join(' ')] || 0) + 1;
  const ran = report.flows.filter((f) => f.status === 'passed' || f.status === 'failed');
  const lines = [
    '',
    '== Likeperson browser suite report ==',
    'pages visited per role (each at desktop 1280x800 and phone 390x844):',
    ...Object.entries(report.pages).map(([who, n]) => `  ${who.padEnd(28)} ${n}`),
    `total pages: ${Object.values(report.pages).reduce((a, b) => a + b, 0)} (${report.pageLoads} page loads)`,
    `flows: ${ran.length} ran (${ran.filter((f) => f.status === 'passed').length} passed, ${ran.filter((f) => f.status === 'failed').length} failed), ${report.flows.filter((f) => f.status === 'skipped').length} skipped`,
    ...report.flows.map((f) => `  [${f.status}] ${f.name} (${f.who})${f.reason ? ' — ' + f.reason : ''}`),
    report.htmlCheck ? `html check (vnu): ${report.htmlCheck.pages} pages, ${report.htmlCheck.errors} errors, ${report.htmlCheck.seconds.toFixed(1)} s` : 'html check (vnu): not run',
    `findings: ${report.findings.length}${Object.keys(byKind).length ? ' — ' + Object.entries(byKind).map(([k, n]) => `${k}: ${n}`).join(', ') : ''}`,
    `duration: ${seconds.toFixed(1)} s`,
    SCREENSHOTS ? `screenshots: ${SCREENSHOTS}` : 'screenshots: off (set SCREENSHOTS=<dir>)',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  try {
    const dir = join(here, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ ...report, seconds }, null, 2));
  } catch { /* read-only checkout: the printed report is enough */ }
}

describe('Likeperson in headless Chromium', () => {
  before(async () => {
    server = await startServer({ timeoutMs: 60_000 });
    browser = await launchBrowser();
  }, { timeout: 120_000 });

  after(async () => {
    if (server?.exited || report.findings.some((f) => /answered 5\d\d/.test(f.message))) {
      process.stderr.write((server?.logs?.(6000) || '') + '\n');
    }
    await browser?.close();
    await server?.stop();
    validator.cleanup();
    printReport();
  });

  test('server answers /healthz and shows a labelled sign-in form', async () => {
    const r = await fetch(`${server.baseURL}/healthz`);
    assert.equal(r.status, 200);
    const ctx = await newContext(browser, server.baseURL, 'desktop');
    try {
      const page = await ctx.newPage();
      const resp = await page.goto('/login');
      assert.ok(resp.status() < 400, `/login answered ${resp.status()}`);
      assert.equal(await page.locator('input[name="email"]').count(), 1, 'one email field');
      assert.equal(await page.locator('input[name="password"][type="password"]').count(), 1, 'one password field');
      assert.equal(await page.locator('form:has(input[name="email"]) input[type="hidden"][name="csrf_token"]').count(), 1, 'hidden csrf_token field');
      assert.ok(await page.getByLabel(/e-?post|email/i).count() >= 1, 'email field is labelled');
      const csp = resp.headers()['content-security-policy'] || '';
      assert.match(csp, /script-src 'self'/, 'CSP header with script-src self');
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, 'CSP allows no inline script');
    } finally { await ctx.close(); }
  });

  describe('crawl: every reachable page at desktop and phone size', () => {
    for (const acct of ROLES) {
      test(`crawl as ${acct.email || 'a signed-out visitor'}`, LONG, async (t) => {
        const state = acct.email ? await sessionFor(acct.email) : undefined;
        const ctxs = {};
        const pages = {};
        for (const size of ['desktop', 'phone']) {
          ctxs[size] = await newContext(browser, server.baseURL, size, state);
          pages[size] = await ctxs[size].newPage();
          instrument(pages[size]);
        }
        const queue = [{ url: acct.start || '/' }];
        const seen = new Set([acct.start || '/']);
        let count = 0;
        try {
          while (queue.length && count < MAX_PAGES) {
            const { url } = queue.shift();
            count += 1;
            for (const size of ['desktop', 'phone']) {
              await t.test(`${acct.who} ${url} [${size}]`, async (st) => {
                assertServerAlive();
                const r = await visitAndCheck(pages[size], url, { size, who: acct.who, screenshotDir: SCREENSHOTS, collectLinks: size === 'desktop', keepHtml: size === 'desktop', signedIn: !!acct.email });
                report.pageLoads += 1;
                if (r.html !== undefined) validator.add(acct.who, url, r.html);
                if (size === 'desktop') {
                  if (r.finalPath) seen.add(crawlKey(r.finalPath));
                  // the main menu first, then the rest of the page
                  const links = [...r.links.filter((l) => l.inNav), ...r.links.filter((l) => !l.inNav)];
                  for (const l of links) {
                    const p = crawlKey(l.url);
                    if (seen.has(p)) continue;
                    seen.add(p);
                    queue.push({ url: l.url });
                  }
                }
                report.findings.push(...r.findings);
                if (r.skipped) { st.skip(r.skipped); return; }
                if (r.failures.length) {
                  const e = new Error(`${acct.who} ${url} [${size}]: ${r.failures.length} problem(s)\n  - ${r.failures.join('\n  - ')}`);
                  e.stack = e.message; // the list is the point, not where it was thrown
                  throw e;
                }
              });
            }
          }
        } finally {
          report.pages[acct.who] = count;
          for (const c of Object.values(ctxs)) await c.close();
        }
        if (acct.email) assert.ok(count >= 2, `${acct.who}: the crawl found only ${count} page(s); the main menu should lead somewhere`);
      });
    }

    // After every crawl: one run of the W3C Nu checker over the HTML of all pages crawled.
    test('every crawled page is valid HTML (W3C Nu checker)', LONG, async (t) => {
      if (!validator.size) { t.skip('no page crawled'); return; }
      const t0 = Date.now();
      const found = await validator.validate();
      report.htmlCheck = { pages: validator.size, errors: found.length, seconds: (Date.now() - t0) / 1000 };
      report.findings.push(...found);
      if (found.length) {
        const lines = found.map((f) => `${f.who} ${f.page}: ${f.message}`);
        const e = new Error(`${found.length} HTML error(s) on ${new Set(found.map((f) => f.page)).size} of ${validator.size} page(s):\n  - ${lines.join('\n  - ')}`);
        e.stack = e.message;
        throw e;
      }
    });
  });

  describe('keyboard-only flows', () => {
    flow('sign in with the keyboard only', 'mentor@blindeforbundet.example', async () => {
      const ctx = await newContext(browser, server.baseURL, 'desktop');
      try {
        const page = await ctx.newPage();
        instrument(page);
        await page.goto('/login');
        await focusTop(page);
        const n = await tabTo(page, 'input[name="email"]', { max: 40 });
        assert.ok(n > 0, 'the email field can be reached with Tab');
        await page.keyboard.type('mentor@blindeforbundet.example');
        const m = await tabTo(page, 'input[name="password"]', { max: 2 });
        assert.ok(m > 0, `Tab from the email field should reach the password field next (focus is on ${await describeFocus(page)})`);
        await page.keyboard.type(PASSWORD);
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
        assert.equal(new URL(page.url()).pathname, '/', 'Enter in the password field signs in and lands on /');
        assert.ok(await page.locator('form[action$="/logout"][method="post" i], form[action$="/logout"]').count() >= 1, 'a sign-out form is shown in the header');
        await assertCleanLogs(page, 'keyboard sign-in');
      } finally { await ctx.close(); }
    });

    flow('wrong password keeps the user on the sign-in page with an error they are told about', 'admin@blindeforbundet.example', async () => {
      const ctx = await newContext(browser, server.baseURL, 'desktop');
      try {
        const page = await ctx.newPage();
        instrument(page);
        await page.goto('/login');
        await focusTop(page);
        assert.ok(await tabTo(page, 'input[name="email"]', { max: 40 }) > 0);
        await page.keyboard.type('admin@blindeforbundet.example');
        assert.ok(await tabTo(page, 'input[name="password"]', { max: 2 }) > 0);
        await page.keyboard.type('not-the-password');
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
        assert.equal(await page.locator('input[name="email"]').count(), 1, 'the sign-in form is shown again');
        assert.notEqual(new URL(page.url()).pathname, '/', 'not signed in');
        const live = await liveRegionText(page);
        const described = await page.evaluate(() => [...document.querySelectorAll('[aria-invalid="true"][aria-describedby]')]
          .flatMap((e) => e.getAttribute('aria-describedby').split(/\s+/)).map((id) => document.getElementById(id)?.textContent.trim()).filter(Boolean));
        assert.ok(live.length + described.length > 0,
          'the error must be announced: a role=alert / role=status / aria-live message, or aria-invalid fields with aria-describedby text (WCAG 3.3.1, 4.1.3)');
        await assertNoSeriousAxe(page, 'sign-in error page');
        await assertCleanLogs(page, 'wrong-password sign-in', { ignoreHttpErrors: true });
      } finally { await ctx.close(); }
    });

    flow('switch role context with the keyboard', 'coordinator@nhf.example', async () => {
      const { ctx, page } = await signedInPage('coordinator@nhf.example');
      try {
        await page.goto('/');
        const sel = 'select[name="context"]';
        assert.equal(await page.locator(sel).count(), 1, 'the header shows a context <select name="context"> for a user with two role contexts');
        const opts = await page.locator(`${sel} option`).evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent.trim(), selected: o.selected })));
        assert.ok(opts.length >= 2, `coordinator@nhf.example should have at least two contexts, found ${JSON.stringify(opts)}`);
        const fromIdx = opts.findIndex((o) => o.selected);
        const toIdx = fromIdx < opts.length - 1 ? fromIdx + 1 : fromIdx - 1;
        const navBefore = await page.locator('nav a').allInnerTexts();
        await focusTop(page);
        assert.ok(await tabTo(page, sel, { max: 80 }) > 0, 'the context select can be reached with Tab');
        await page.keyboard.press(toIdx > fromIdx ? 'ArrowDown' : 'ArrowUp');
        let value = await page.locator(sel).inputValue();
        if (value !== opts[toIdx].value) {
          // Some Chromium builds open a popup instead; fall back to choosing the option directly.
          await page.locator(sel).selectOption(opts[toIdx].value);
          value = opts[toIdx].value;
        }
        const submit = 'form:has(select[name="context"]) :is(button, input[type="submit"])';
        assert.ok(await tabTo(page, submit, { max: 3 }) > 0, `Tab from the select should reach the switch button (focus is on ${await describeFocus(page)})`);
        page.__log.reset();
        const r = await pressAndSettle(page);
        assert.ok(r.status < 400, `switching context answered ${r.status}`);
        const after = await page.locator(sel).inputValue();
        assert.equal(after, opts[toIdx].value, `after switching, the select shows the new context "${opts[toIdx].text}"`);
        const navAfter = await page.locator('nav a').allInnerTexts();
        if (JSON.stringify(navAfter) === JSON.stringify(navBefore)) {
          process.stdout.write(`# note: the menu is identical in the contexts "${opts[fromIdx].text}" and "${opts[toIdx].text}"\n`);
        }
        assert.equal(await page.locator('h1').count(), 1, 'one h1 after switching');
        await assertNoSeriousAxe(page, 'after context switch');
        await assertCleanLogs(page, 'context switch');
        // switch back so the account is left as it was
        await page.locator(sel).selectOption(opts[fromIdx].value);
        await Promise.all([page.waitForLoadState('load'), page.locator(submit).first().click()]);
      } finally { await ctx.close(); }
    });

    flow('deactivate and reactivate a local association with htmx, keyboard only', 'admin@nhf.example', async (t, skip) => {
      const { ctx, page } = await signedInPage('admin@nhf.example');
      try {
        await page.goto('/');
        const re = /lokallag|local.?assoc|associations|foreninger/i;
        let link = await menuLink(page, re);
        if (!link) {
          const admin = await menuLink(page, /admin/i);
          if (admin) { await page.goto(admin.href); link = await menuLink(page, re) || (await page.evaluate((src) => { const r = new RegExp(src, 'i'); const a = [...document.querySelectorAll('main a[href]')].find((x) => r.test(x.textContent) || r.test(x.getAttribute('href'))); return a ? { href: new URL(a.href).pathname, text: a.textContent.trim() } : null; }, re.source)); }
        }
        if (!link) skip('no local associations page is reachable from the menu of admin@nhf.example');
        await page.goto(link.href);
        const toggleRe = /^(de|re)?aktiver|^(de|re)?activate|^reaktiver/i;
        const found = await markButton(page, 'main tr', toggleRe, 'toggle');
        if (!found) skip(`no deactivate/reactivate button in a table row on ${link.href}`);
        if (!found.htmx) process.stdout.write(`# note: the toggle on ${link.href} is a plain form, not htmx\n`);
        const problems = [];
        for (const round of ['first', 'second']) {
          const rowKey = await page.evaluate(() => {
            const tr = document.querySelector('[data-e2e="toggle"]').closest('tr');
            return { id: tr.id || null, first: tr.querySelector('th, td').textContent.trim(), text: tr.textContent.replace(/\s+/g, ' ').trim() };
          });
          const btnBefore = found.text;
          await page.evaluate(() => {
            window.__liveBefore = new Map();
            for (const el of document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role=status], [role=alert]')) window.__liveBefore.set(el, el.textContent.trim());
          });
          const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-e2e') === 'toggle');
          if (!focused) {
            await focusTop(page);
            const n = await tabTo(page, '[data-e2e="toggle"]', { max: 400 });
            assert.ok(n > 0, `the ${btnBefore} button can be reached with Tab`);
          }
          page.__log.reset();
          const r = await pressAndSettle(page);
          assert.ok(r.status < 400, `${btnBefore} answered ${r.status}`);
          const state = await page.evaluate(({ id, first }) => {
            const rows = [...document.querySelectorAll('main tr')];
            const tr = id ? document.getElementById(id) : rows.find((x) => x.querySelector('th, td')?.textContent.trim() === first);
            const a = document.activeElement;
            const live = [...document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role=status], [role=alert]')];
            const kept = [...window.__liveBefore].filter(([el, before]) => el.isConnected && el.textContent.trim() && el.textContent.trim() !== before);
            return {
              rowText: tr ? tr.textContent.replace(/\s+/g, ' ').trim() : null,
              focus: a && a !== document.body ? a.outerHTML.slice(0, 160) : '(body)',
              focusInRow: !!(tr && a && tr.contains(a)),
              focusInLive: !!(a && live.some((l) => l === a || l.contains(a))),
              announcedInPlace: kept.map(([el]) => el.textContent.trim()),
              newRegions: live.filter((el) => !window.__liveBefore.has(el) && el.textContent.trim()).map((el) => el.outerHTML.slice(0, 160)),
            };
          }, rowKey);
          assert.ok(state.rowText !== null, 'the row is still in the table after the swap');
          assert.notEqual(state.rowText, rowKey.text, 'the row shows the new status after the swap');
          if (!(state.focusInRow || state.focusInLive)) {
            problems.push(`${btnBefore}: after the swap focus must be on the row's button or the status region, but it is on ${state.focus}`);
          }
          if (state.announcedInPlace.length === 0) {
            problems.push(`${btnBefore}: the status message must be announced by a live region that was on the page before the swap and stays (screen readers do not reliably announce a live region that is inserted together with its message); ` +
              (state.newRegions.length ? `instead the region was replaced: ${JSON.stringify(state.newRegions)}` : 'no status message appeared'));
          }
          await assertNoSeriousAxe(page, `after ${btnBefore}`);
          await assertCleanLogs(page, `htmx ${btnBefore}`);
          if (round === 'first') {
            // the same row's (new) toggle, to undo
            const again = await markButton(page, rowKey.id ? `main tr[id="${rowKey.id}"]` : 'main tr', toggleRe, 'toggle');
            const sameRow = await page.evaluate((first) => document.querySelector('[data-e2e="toggle"]')?.closest('tr')?.querySelector('th, td')?.textContent.trim() === first, rowKey.first);
            assert.ok(again && sameRow, 'the swapped row offers the opposite action');
            found.text = again.text;
          } else {
            t.diagnostic(`row "${rowKey.first}" toggled twice`);
          }
        }
        if (problems.length) assert.fail(`htmx row toggle:\n  - ${problems.join('\n  - ')}`);
      } finally { await ctx.close(); }
    });

    flow('filter the local associations list as you type (htmx)', 'admin@nhf.example', async (t, skip) => {
      const { ctx, page } = await signedInPage('admin@nhf.example');
      try {
        await page.goto('/');
        const link = await menuLink(page, /lokallag|local.?assoc|associations/i);
        if (!link) skip('no local associations page in the menu of admin@nhf.example');
        await page.goto(link.href);
        const q = 'main form[role=search] input[type=search], main form[method=get i] input[name=q]';
        if (await page.locator(q).count() === 0) skip(`no search field on ${link.href}`);
        const rows = 'main table tbody tr';
        const first = (await page.locator(`${rows} :is(th, td)`).first().innerText()).trim();
        const word = first.split(/\s+/).pop();
        // remember the live regions that exist before the swap
        await page.evaluate(() => {
          window.__liveBefore = new Map();
          for (const el of document.querySelectorAll('main [aria-live]:not([aria-live="off"]), main [role=status]')) window.__liveBefore.set(el, el.textContent.trim());
        });
        await focusTop(page);
        assert.ok(await tabTo(page, q, { max: 60 }) > 0, 'the search field can be reached with Tab');
        page.__log.reset();
        const respP = page.waitForResponse((r) => r.request().headers()['hx-request'] === 'true' && r.url().includes(`q=${encodeURIComponent(word)}`), { timeout: 10_000 });
        await page.keyboard.type(word, { delay: 30 });
        const resp = await respP;
        assert.ok(resp.status() < 400, `the htmx search answered ${resp.status()}`);
        await page.waitForTimeout(500);
        const state = await page.evaluate(({ q, rows, word }) => {
          const a = document.activeElement;
          const texts = [...document.querySelectorAll(rows)].map((r) => r.textContent);
          const kept = [];
          const changed = [];
          for (const [el, before] of window.__liveBefore) {
            if (el.isConnected) { kept.push(el); if (el.textContent.trim() !== before && el.textContent.trim()) changed.push(el.textContent.trim()); }
          }
          const replaced = [...window.__liveBefore.keys()].filter((el) => !el.isConnected).map((el) => el.outerHTML.slice(0, 120));
          return {
            focusInSearch: !!(a && a.matches(q)), value: a && a.value, focus: a ? a.outerHTML.slice(0, 120) : '(none)',
            rowCount: texts.length, allMatch: texts.every((x) => x.toLowerCase().includes(word.toLowerCase())),
            changed, replaced, url: location.search,
          };
        }, { q, rows, word });
        const problems = [];
        if (!(state.focusInSearch && state.value === word)) problems.push(`focus and the typed text must stay in the search field while results update (focus: ${state.focus})`);
        if (!(state.rowCount >= 1 && state.allMatch)) problems.push(`the list must show only rows matching "${word}" (${state.rowCount} rows)`);
        if (!new RegExp(`q=${encodeURIComponent(word)}`).test(state.url)) problems.push(`the filtered URL must be pushed to the address bar (got "${state.url}")`);
        if (state.changed.length === 0) {
          problems.push(`the new result count must be announced by a live region that was already on the page before the swap (screen readers do not reliably announce a live region that is inserted together with its message); replaced instead: ${JSON.stringify(state.replaced)}`);
        }
        if (problems.length) assert.fail(`htmx search:\n  - ${problems.join('\n  - ')}`);
        await assertNoSeriousAxe(page, 'after htmx search');
        await assertCleanLogs(page, 'htmx search');
      } finally { await ctx.close(); }
    });

    flow('register an activity for a contact from the start page in two taps (phone)', 'mentor@nhf.example', async (t, skip) => {
      const { ctx, page } = await signedInPage('mentor@nhf.example', 'phone');
      try {
        await page.goto('/');
        const contactButton = page.locator('main a.home-contact-register').first();
        if (await contactButton.count() === 0) skip('the mentor has no contacts on the start page');
        page.__log.reset();
        await Promise.all([page.waitForURL(/\/activities\/new\?/), contactButton.tap()]); // tap 1
        const prefilled = await page.evaluate(() => ({
          contact: document.querySelector('#f-contact_id')?.value,
          type: !!document.querySelector('input[name=activity_type_id]:checked'),
          minutes: document.querySelector('#f-duration_minutes')?.value,
        }));
        assert.ok(prefilled.contact && prefilled.type && prefilled.minutes, `the form comes prefilled (${JSON.stringify(prefilled)})`);
        const submit = page.locator('main form button[type=submit]').first();
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 15_000 }),
          submit.tap(), // tap 2
        ]);
        assert.equal(resp.status(), 303, 'the activity is registered with the second tap');
        await page.waitForURL(/\/activities\/[0-9a-f-]{36}$/);
        await assertNoSeriousAxe(page, 'the registered activity');
        await assertCleanLogs(page, 'two-tap registration');
      } finally { await ctx.close(); }
    });

    flow('search from the start page as you type (htmx)', 'coordinator@nhf.example', async (t, skip) => {
      const { ctx, page } = await signedInPage('coordinator@nhf.example');
      try {
        await page.goto('/');
        const q = '#search-q';
        if (await page.locator(q).count() === 0) skip('no search box on the start page');
        const statusBefore = await page.evaluate(() => { window.__status = document.getElementById('status'); return window.__status.textContent.trim(); });
        await focusTop(page);
        assert.ok(await tabTo(page, q, { max: 60 }) > 0, 'the search field can be reached with Tab');
        page.__log.reset();
        const respP = page.waitForResponse((r) => r.request().headers()['hx-request'] === 'true' && r.url().includes('/search?q=mona'), { timeout: 10_000 });
        await page.keyboard.type('mona', { delay: 30 });
        assert.ok((await respP).status() < 400);
        await page.waitForTimeout(500);
        const state = await page.evaluate(() => ({
          focus: document.activeElement?.id, value: document.activeElement?.value,
          links: [...document.querySelectorAll('#search-results a[href]')].map((a) => a.textContent.trim()),
          statusKept: window.__status.isConnected, status: window.__status.textContent.trim(),
        }));
        assert.equal(state.focus, 'search-q', 'focus stays in the search field');
        assert.equal(state.value, 'mona');
        assert.ok(state.links.some((l) => /Mona Mentor/.test(l)), `the results list the mentor (${state.links.join(', ')})`);
        assert.ok(state.statusKept && state.status && state.status !== statusBefore, 'the number of hits is announced in the live region that was already there');
        // The results are plain links, reached with Tab.
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        assert.ok(await page.evaluate(() => !!document.activeElement?.closest('#search-results')), 'Tab leads from the field into the results');
        await assertNoSeriousAxe(page, 'after the search');
        await assertCleanLogs(page, 'start page search');
      } finally { await ctx.close(); }
    });

    flow('a form with errors answers 422, focuses the error summary and links fields to their errors', 'admin@nhf.example', async (t, skip) => {
      const { ctx, page } = await signedInPage('admin@nhf.example');
      try {
        await page.goto('/');
        const link = await menuLink(page, /lokallag|local.?assoc|associations/i);
        if (!link) skip('no local associations page in the menu of admin@nhf.example');
        await page.goto(link.href);
        const newLink = 'main a[href$="/new"]';
        if (await page.locator(newLink).count() === 0) skip(`no "new" link on ${link.href}`);
        await focusTop(page);
        assert.ok(await tabTo(page, newLink, { max: 60 }) > 0, 'the "new" link can be reached with Tab');
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
        const form = 'main form[method="post" i]';
        assert.equal(await page.locator(form).count(), 1, 'the new-association page has one form');
        // submit it empty, from the keyboard
        await focusTop(page);
        assert.ok(await tabTo(page, `${form} :is(button[type=submit], button:not([type]))`, { max: 60 }) > 0, 'the save button can be reached with Tab');
        page.__log.reset();
        const respP = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 15_000 });
        await page.keyboard.press('Enter');
        const resp = await respP;
        await page.waitForLoadState('load');
        await page.waitForTimeout(200);
        assert.equal(resp.status(), 422, 'an empty required field re-renders the form with 422');
        const st = await page.evaluate(() => {
          const a = document.activeElement;
          const invalid = [...document.querySelectorAll('[aria-invalid="true"]')];
          return {
            focus: a ? a.outerHTML.slice(0, 120) : '(none)',
            focusOnSummary: !!(a && (a.getAttribute('role') === 'alert' || a.closest('[role=alert]') || a.getAttribute('aria-invalid') === 'true')),
            invalid: invalid.map((el) => ({
              name: el.getAttribute('name'),
              described: (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent.trim() || '').join(' '),
            })),
            summaryLinks: [...document.querySelectorAll('[role=alert] a[href^="#"]')].map((x) => ({ href: x.getAttribute('href'), ok: !!document.getElementById(x.getAttribute('href').slice(1)) })),
          };
        });
        assert.ok(st.focusOnSummary, `focus moves to the error summary (or the first invalid field), not ${st.focus}`);
        assert.ok(st.invalid.length >= 1, 'the empty required field is marked aria-invalid');
        for (const f of st.invalid) assert.ok(f.described, `field ${f.name} is aria-invalid but has no aria-describedby error text`);
        for (const l of st.summaryLinks) assert.ok(l.ok, `error summary link ${l.href} points to no element`);
        await assertNoSeriousAxe(page, 'form with errors');
        await assertCleanLogs(page, 'form with errors', { ignoreHttpErrors: true });
        // fix it and save, from the keyboard
        const nameField = `${form} :is(input, textarea)[aria-invalid="true"]`;
        await focusTop(page);
        assert.ok(await tabTo(page, nameField, { max: 60 }) > 0, 'the invalid field can be reached with Tab');
        await page.keyboard.type(`Nettlesertest ${Date.now() % 100000}`);
        const r = await pressAndSettle(page);
        assert.ok(r.status < 400, `saving the corrected form answered ${r.status}`);
        assert.ok((await liveRegionText(page)).length > 0, 'the saved record is confirmed in the status region');
        await assertCleanLogs(page, 'corrected form');
      } finally { await ctx.close(); }
    });

    flow('sign out with the keyboard', 'mentor@blindeforbundet.example', async () => {
      const ctx = await newContext(browser, server.baseURL, 'desktop');
      try {
        await signIn(ctx, 'mentor@blindeforbundet.example'); // its own session, not the shared one
        const page = await ctx.newPage();
        instrument(page);
        await page.goto('/');
        const btn = 'form[action$="/logout"] :is(button, input[type=submit])';
        await focusTop(page);
        assert.ok(await tabTo(page, btn, { max: 60 }) > 0, 'the sign-out button can be reached with Tab');
        const r = await pressAndSettle(page);
        assert.ok(r.status < 400, `sign-out answered ${r.status}`);
        await page.goto('/');
        assert.equal(await page.locator('input[name="password"]').count(), 1, 'after signing out, / asks for a password again');
        await assertCleanLogs(page, 'keyboard sign-out');
      } finally { await ctx.close(); }
    });

    async function genericCreate(email, linkRe, what, skip, { thenSubmit = false } = {}) {
      const { ctx, page } = await signedInPage(email);
      try {
        await page.goto('/');
        const link = await menuLink(page, linkRe);
        if (!link) skip(`not built yet: no menu link matching ${linkRe} for ${email}`);
        await page.goto(link.href);
        const formSel = 'main form[method="post" i]:has(:is(input:not([type=hidden]), select, textarea))';
        if (await page.locator(formSel).count() === 0) {
          const newLink = await page.evaluate(() => {
            const a = [...document.querySelectorAll('main a[href]')].find((x) => /\/(new|ny|create|registrer|register)(\/|$|\?)/i.test(x.getAttribute('href'))
              || /^\+?\s*(ny|nytt|registrer|new|create|add|legg til|send inn)/i.test(x.textContent.trim()));
            if (!a) return null;
            a.setAttribute('data-e2e', 'new');
            return a.getAttribute('href');
          });
          if (!newLink) skip(`${link.href} has no form and no "new" link to ${what}`);
          await focusTop(page);
          assert.ok(await tabTo(page, '[data-e2e="new"]', { max: 150 }) > 0, `the "new" link on ${link.href} can be reached with Tab`);
          await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
        }
        const formUrl = page.url();
        if (await page.locator(formSel).count() === 0) skip(`no form to ${what} on ${new URL(formUrl).pathname}`);
        await page.locator(formSel).first().evaluate((f) => f.setAttribute('data-e2e', 'form'));
        let notes;
        try { notes = await fillFormByKeyboard(page, 'form[data-e2e="form"]'); } catch (e) { skip(`cannot fill the form on ${new URL(formUrl).pathname} from the keyboard: ${e.message}`); }
        page.__log.reset();
        const r = await pressAndSettle(page);
        const errors = r.status >= 400 ? await postErrors(page) : [];
        assert.ok(r.status < 400, `${what}: POST ${new URL(r.url).pathname} answered ${r.status}; filled ${JSON.stringify(notes)}; errors shown: ${JSON.stringify(errors)}`);
        const live = await liveRegionText(page);
        assert.ok(page.url() !== formUrl || live.length > 0, `${what}: after submitting, the page neither moved on nor announced anything`);
        if (thenSubmit) {
          const sub = await markButton(page, 'main', /^send inn|^submit/i, 'submit');
          if (sub) {
            await focusTop(page);
            assert.ok(await tabTo(page, '[data-e2e="submit"]', { max: 200 }) > 0, 'the submit-claim button can be reached with Tab');
            const r2 = await pressAndSettle(page);
            assert.ok(r2.status < 400, `submitting the claim answered ${r2.status}`);
            assert.ok((await liveRegionText(page)).length > 0, 'submitting the claim announces the outcome');
          }
        }
        await assertNoSeriousAxe(page, `after ${what}`);
        await assertCleanLogs(page, what);
        return `filled ${notes.join('; ')}; then on ${new URL(page.url()).pathname}: ${live.join(' | ')}`;
      } finally { await ctx.close(); }
    }

    async function actOnListItem(email, linkRe, buttonRe, what, skip) {
      const { ctx, page } = await signedInPage(email);
      try {
        await page.goto('/');
        const link = await menuLink(page, linkRe);
        if (!link) skip(`not built yet: no menu link matching ${linkRe} for ${email}`);
        await page.goto(link.href);
        let found = await markButton(page, 'main', buttonRe, 'act');
        if (!found) {
          // look on the first detail page of the list
          const detail = await page.evaluate(() => {
            const a = [...document.querySelectorAll('main table a[href], main li a[href], main article a[href]')][0];
            return a ? new URL(a.href).pathname + new URL(a.href).search : null;
          });
          if (detail) { await page.goto(detail); found = await markButton(page, 'main', buttonRe, 'act'); }
        }
        if (!found) skip(`no button matching ${buttonRe} on ${link.href} or its first detail page (nothing in the demo data to ${what}?)`);
        await focusTop(page);
        assert.ok(await tabTo(page, '[data-e2e="act"]', { max: 300 }) > 0, `the "${found.text}" button can be reached with Tab`);
        page.__log.reset();
        const liveBefore = await liveRegionText(page);
        const r = await pressAndSettle(page);
        assert.ok(r.status < 400, `${what}: ${found.text} answered ${r.status}`);
        const live = await liveRegionText(page);
        assert.ok(live.length > 0 && JSON.stringify(live) !== JSON.stringify(liveBefore), `${what}: the outcome is announced through aria-live/role=status (got ${JSON.stringify(live)})`);
        if (!r.navigated) {
          const focus = await describeFocus(page);
          assert.notEqual(focus, '(body)', `${what}: after the htmx swap focus was lost to <body>`);
        }
        await assertNoSeriousAxe(page, `after ${what}`);
        await assertCleanLogs(page, what);
      } finally { await ctx.close(); }
    }

    // Exercises the same keyboard form-filling the flows below rely on, on a form that exists today.
    flow('create a local association with the keyboard only', 'admin@blindeforbundet.example', async (t, skip) => {
      t.diagnostic(await genericCreate('admin@blindeforbundet.example', /lokallag|local.?assoc/i, 'create a local association', skip));
    });
    flow('register an activity', 'mentor@nhf.example', async (t, skip) => {
      t.diagnostic(await genericCreate('mentor@nhf.example', /aktivitet|activit/i, 'register an activity', skip));
    });
    flow('submit a reimbursement claim', 'mentor@nhf.example', async (t, skip) => {
      t.diagnostic(await genericCreate('mentor@nhf.example', /^(?!.*godkjenningskrav).*(utlegg|refusjon|reimburs|expense|claim|krav)/is, 'submit a reimbursement claim', skip, { thenSubmit: true }));
    });
    flow('approve a reimbursement claim', 'coordinator@nhf.example', async (t, skip) => {
      await actOnListItem('coordinator@nhf.example', /^(?!.*(godkjenningskrav|godkjenning av)).*(godkjenn|approv|utlegg|refusjon|reimburs|expense|claim|krav)/is, /^godkjenn|^approve/i, 'approve a claim', skip);
    });
    flow('enroll in a course', 'mentor@nhf.example', async (t, skip) => {
      await actOnListItem('mentor@nhf.example', /kurs|course/i, /^meld (meg )?på|^påmeld|^enrol|^sign up|^registrer meg/i, 'enroll in a course', skip);
    });
    flow('register for an event', 'mentor@nhf.example', async (t, skip) => {
      await actOnListItem('mentor@nhf.example', /arrangement|event/i, /^meld meg på|^register me/i, 'register for an event', skip);
    });
    flow('mark attendance', 'coordinator@nhf.example', async (t, skip) => {
      await actOnListItem('coordinator@nhf.example', /arrangement|event/i, /^møtte(?! ikke)|^attended/i, 'mark attendance', skip);
    });

    flow('a mentor joins the waitlist of a full course on a phone and is promoted when seats free up', 'mentor@nhf.example', async () => {
      // The mentor, on a phone: the full course's card offers the waitlist; tapping it swaps the
      // card (htmx) to show the place in the queue, and the outcome is announced.
      const m = await signedInPage('mentor@nhf.example', 'phone');
      let coursePath;
      try {
        await m.page.goto('/courses');
        const card = m.page.locator('main li.card', { hasText: 'Samtaleteknikk' });
        coursePath = await card.locator('h3 a').getAttribute('href');
        await Promise.all([m.page.waitForResponse((r) => r.request().method() === 'POST'), card.locator('button', { hasText: /venteliste/i }).tap()]);
        await m.page.waitForFunction(() => /nr\. 2 på ventelisten/.test(document.querySelector('main')?.textContent || ''), null, { timeout: 10_000 });
        const live = await liveRegionText(m.page);
        assert.ok(live.some((t) => /venteliste/i.test(t)), `the outcome is announced (${live.join(' | ')})`);
        await assertNoSeriousAxe(m.page, 'waitlisted on a phone');
        await assertCleanLogs(m.page, 'mentor joins the waitlist');
      } finally { await m.ctx.close(); }
      // The coordinator removes both seat holders: the first waiting, then the mentor, get the seats.
      const c = await signedInPage('coordinator@nhf.example');
      try {
        for (const who of ['Kursdeltaker 1 (NHF)', 'Kursdeltaker 2 (NHF)']) {
          await c.page.goto(coursePath);
          const row = c.page.locator('main #enrollments ~ ul.rows li', { hasText: who });
          await Promise.all([c.page.waitForNavigation({ waitUntil: 'load' }), row.locator('button[value="remove"]').click()]);
        }
        assert.match(await c.page.textContent('main'), /Endringen er lagret/);
        await assertCleanLogs(c.page, 'coordinator removes seat holders');
      } finally { await c.ctx.close(); }
      const back = await signedInPage('mentor@nhf.example', 'phone');
      try {
        await back.page.goto(coursePath);
        const main = (await back.page.textContent('main')).replace(/\s+/g, ' ');
        assert.match(main, /Påmeldt/, `the mentor holds a seat now (${main.slice(0, 200)})`);
        assert.ok(await back.page.locator('main button', { hasText: /meld meg av/i }).count() > 0, 'and may withdraw');
        await back.page.goto('/notifications');
        assert.match(await back.page.textContent('main'), /Du har fått plass på «Samtaleteknikk»/, 'and was told');
        await assertCleanLogs(back.page, 'mentor promoted');
      } finally { await back.ctx.close(); }
    });

    flow('a mentor claims mileage on a phone and a coordinator approves it with the keyboard', 'mentor@hlf.example', async () => {
      // The mentor, on a phone: choose mileage, fill in the trip, see the amount live, save, submit.
      const m = await signedInPage('mentor@hlf.example', 'phone');
      let claimPath;
      try {
        await m.page.goto('/expenses/new');
        await m.page.locator('main a.ds-button', { hasText: /kilometer/i }).first().click();
        await m.page.waitForLoadState('load');
        await m.page.fill('#f-from_place', 'Storgata 1, Oslo');
        await m.page.fill('#f-to_place', 'Frivillighetshuset');
        await m.page.fill('#f-purpose', 'Besøk hos kontakt');
        await m.page.fill('#f-km', '250');
        await m.page.waitForResponse((r) => r.url().includes('/expenses/preview'), { timeout: 10_000 });
        await m.page.waitForTimeout(300);
        const preview = (await m.page.textContent('#amount-preview')).replace(/\s+/g, ' ');
        assert.match(preview, /1\s?250,00 kr/, `the amount is shown live (${preview})`);
        assert.match(preview, /skattepliktig/, 'with its taxable part');
        await Promise.all([m.page.waitForNavigation({ waitUntil: 'load' }), m.page.click('main button[type=submit]')]);
        await m.page.goto('/expenses');
        await Promise.all([m.page.waitForNavigation({ waitUntil: 'load' }), m.page.click('main form[action="/claims"] button[type=submit]')]);
        claimPath = new URL(m.page.url()).pathname;
        assert.match(claimPath, /^\/claims\/[0-9a-f-]{36}$/, `the claim page is shown (${claimPath})`);
        assert.match(await m.page.textContent('main'), /venter på en koordinator/i, 'the claim says why it waits');
        await assertCleanLogs(m.page, 'mentor mileage claim');
      } finally { await m.ctx.close(); }
      // The coordinator, keyboard only: from the queue, Tab to the claim's approve button, Enter.
      const c = await signedInPage('coordinator@hlf.example');
      try {
        await c.page.goto('/claims');
        const id = claimPath.split('/').pop();
        await focusTop(c.page);
        const n = await tabTo(c.page, `#claim-${id} button[value="approve"]`, { max: 120 });
        assert.ok(n > 0, 'the approve button of the claim can be reached with Tab');
        const r = await pressAndSettle(c.page);
        assert.equal(r.status, 200, 'the decision is accepted');
        const row = (await c.page.textContent(`#claim-${id}`)).replace(/\s+/g, ' ');
        assert.match(row, /godkjent/i, `the row says it is approved (${row})`);
        const live = await liveRegionText(c.page);
        assert.ok(live.some((t) => /godkjent/i.test(t)), `the decision is announced (${live.join(' | ')})`);
        await assertCleanLogs(c.page, 'coordinator approves with the keyboard');
      } finally { await c.ctx.close(); }
    });

    flow('browse the toolbox on a phone: category, search as you type, a card, a favourite', 'mentor@nhf.example', async () => {
      const { ctx, page } = await signedInPage('mentor@nhf.example', 'phone');
      try {
        await page.goto('/toolbox');
        page.__log.reset();
        // A category chip narrows the list.
        await Promise.all([page.waitForURL(/category=/), page.locator('main .chip-list a', { hasText: 'Praktiske råd' }).tap()]);
        const titles = await page.locator('main .toolbox-cards h2').allTextContents();
        assert.ok(titles.length > 0 && titles.every((t) => !/Hva gleder du deg til/.test(t)), `only the category's cards (${titles.join(', ')})`);
        // Typing searches (htmx), the count is announced, the URL is pushed.
        await page.goto('/toolbox');
        await page.locator('#f-q').fill('taushet');
        await page.waitForFunction(() => document.querySelectorAll('#toolbox-results .toolbox-cards li').length === 1, null, { timeout: 10_000 });
        const live = await liveRegionText(page);
        assert.ok(live.some((t) => /1 kort/.test(t)), `the count is announced (${live.join(' | ')})`);
        // Open the card: Markdown rendered, nothing hostile.
        await Promise.all([page.waitForURL(/\/toolbox\/[0-9a-f-]{36}$/), page.locator('#toolbox-results a').first().tap()]);
        assert.match(await page.textContent('main h1'), /Taushetsplikt/);
        assert.equal(await page.locator('main .markdown a[href^="https://"]').count(), 1, 'the link in the Markdown is a link');
        // Favourite with a tap: the button says it is pressed, and the outcome is announced.
        const fav = page.locator('#favourite button');
        await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), fav.tap()]);
        await page.waitForFunction(() => document.querySelector('#favourite button')?.getAttribute('aria-pressed') === 'true');
        const said = await liveRegionText(page);
        assert.ok(said.some((t) => /favoritt/i.test(t)), `the favourite is announced (${said.join(' | ')})`);
        await page.goto('/toolbox?favourites=1');
        assert.ok((await page.locator('main .toolbox-cards h2').allTextContents()).some((t) => /Taushetsplikt/.test(t)), 'the favourites list has it');
        await assertNoSeriousAxe(page, 'toolbox on a phone');
        await assertCleanLogs(page, 'toolbox on a phone');
      } finally { await ctx.close(); }
    });

    flow('import contacts: upload a file, see each bad row and its problem in the preview, import the good rows', 'admin@blindeforbundet.example', async () => {
      const { ctx, page } = await signedInPage('admin@blindeforbundet.example');
      try {
        await page.goto('/associations');
        const assoc = (await page.locator('main table tbody tr td a, main table tbody tr th a').first().textContent()).trim();
        await page.goto('/import');
        page.__log.reset();
        const csv = `navn;lokallag;fødselsår\nNettleser Person;${assoc};1975\nFeil År;${assoc};19x5\nUkjent Lag;Finnes ikke;1980\n`;
        await page.setInputFiles('#f-file-contacts', { name: 'kontakter.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
        await Promise.all([page.waitForURL(/\/import\/[0-9a-f-]{36}$/), page.locator('form[action="/import/upload/contacts"] button[type=submit]').click()]);
        const summary = (await page.textContent('main .import-summary')).replace(/\s+/g, ' ');
        assert.match(summary, /1 rader kan importeres/);
        assert.match(summary, /2 rader har feil/);
        const problems = (await page.textContent('main table')).replace(/\s+/g, ' ');
        assert.match(problems, /Ugyldig fødselsår/);
        assert.match(problems, /Ukjent lokallag/);
        await assertNoSeriousAxe(page, 'import preview');
        // The run button is reachable with the keyboard and imports once.
        await focusTop(page);
        const n = await tabTo(page, 'main form[action$="/run"] button', { max: 80 });
        assert.ok(n > 0, 'the import button can be reached with Tab');
        const r = await pressAndSettle(page);
        assert.ok(r.status < 400, `the import answered ${r.status}`);
        assert.match(await page.textContent('main'), /Importen er ferdig/);
        await assertCleanLogs(page, 'import preview');
      } finally { await ctx.close(); }
    });
  });
});
