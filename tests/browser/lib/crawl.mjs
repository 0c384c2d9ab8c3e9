// Visiting one page at one size with every check, and the bookkeeping of the crawl.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runAxe, unlabelledFields, checkSkipLink, horizontalOverflow, crawlableLinks } from './checks.mjs';

const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+|[0-9a-f]{16,}|[A-Za-z0-9_-]{20,})$/i;

/** "/associations/6f1c…/edit?x=1" -> "/associations/:id/edit": one page per kind. */
export function pathPattern(url) {
  const path = url.split('?')[0].split('#')[0];
  return path.split('/').map((s) => (ID_SEGMENT.test(s) ? ':id' : s)).join('/') || '/';
}

export function slug(url) {
  const s = pathPattern(url).replace(/:id/g, 'id').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'home';
}

/**
 * Loads `url` in `page` (already sized and signed in) and runs every check.
 * Returns { status, finalPath, failures: [..strings], findings: [..objects], links, skipped }
 * and, with `keepHtml`, `html`: the page as the server sent it (for the HTML validator).
 */
export async function visitAndCheck(page, url, { size, who, screenshotDir, collectLinks, keepHtml = false, signedIn = true }) {
  const failures = [];
  const findings = [];
  const add = (kind, message, extra = {}) => {
    failures.push(`${kind}: ${message}`);
    findings.push({ who, page: url, size, kind, message, ...extra });
  };
  const log = page.__log;
  log.reset();
  await page.evaluate(() => (window.__cspEvents || []).splice(0)).catch(() => {});
  let resp;
  try {
    resp = await page.goto(url, { waitUntil: 'load' });
  } catch (e) {
    add('navigation', e.message.split('\n')[0]);
    return { status: 0, failures, findings, links: [] };
  }
  const status = resp ? resp.status() : 0;
  const finalPath = new URL(page.url()).pathname + new URL(page.url()).search;
  if (status >= 400 || status === 0) add('http-status', `GET ${url} answered ${status}`);
  const ctype = resp ? (resp.headers()['content-type'] || '') : '';
  if (resp && !/text\/html/.test(ctype)) {
    return { status, finalPath, failures, findings, links: [], skipped: `not HTML (${ctype})` };
  }
  if (signedIn && new URL(page.url()).pathname === '/login' && pathPattern(url) !== '/login') {
    add('session', `GET ${url} ended on the sign-in page (session lost?)`);
    return { status, finalPath, failures, findings, links: [] };
  }
  const html = keepHtml && resp ? await resp.text().catch(() => undefined) : undefined;

  // let htmx load-triggered fragments arrive
  const lazy = await page.locator('[hx-trigger*="load"], [hx-trigger*="revealed"], [hx-trigger*="intersect"]').count();
  if (lazy) await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});

  if (screenshotDir) {
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, `${who}-${slug(url)}-${size}.png`), fullPage: true }).catch((e) => {
      add('screenshot', e.message.split('\n')[0]);
    });
  }

  const links = collectLinks ? await crawlableLinks(page) : [];

  for (const v of await runAxe(page)) {
    for (const n of v.nodes) {
      add(`axe ${v.impact} ${v.id}`, `${n.target} — ${v.help}. ${n.summary}`, { rule: v.id, impact: v.impact, selector: n.target, html: n.html });
    }
  }

  const unlabelled = await unlabelledFields(page);
  for (const sel of unlabelled) add('label', `form field ${sel} has no label (label[for], wrapping label, aria-label or aria-labelledby)`, { selector: sel });

  const h1 = await page.evaluate(() => [...document.querySelectorAll('h1')].map((h) => h.textContent.trim().slice(0, 60)));
  if (h1.length !== 1) add('h1', `expected exactly one <h1>, found ${h1.length}${h1.length ? ': ' + JSON.stringify(h1) : ''}`);

  if (size === 'phone') {
    const over = await horizontalOverflow(page);
    if (over) add('reflow', `${over} (WCAG 1.4.10)`);
  }

  // Skip link: start keyboard navigation from the very top of the document.
  await page.evaluate(() => {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    document.activeElement?.blur?.();
    const b = document.body;
    const had = b.hasAttribute('tabindex');
    b.setAttribute('tabindex', '-1');
    b.focus({ preventScroll: true });
    if (!had) b.removeAttribute('tabindex');
    window.scrollTo(0, 0);
  });
  for (const p of await checkSkipLink(page)) add('skip-link', p.replace(/^skip link: /, ''));

  await page.waitForTimeout(20);
  const logs = await log.take();
  for (const m of logs.csp) add('csp', m.slice(0, 400));
  for (const m of logs.pageErrors) add('js-exception', m.slice(0, 400));
  for (const m of logs.consoleErrors) add('console-error', m.slice(0, 400));

  return { status, finalPath, failures, findings, links, html };
}
