// Launches Debian's Chromium through playwright-core and makes instrumented pages.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const PASSWORD = 'likeperson-demo';

export const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

export async function launchBrowser() {
  // playwright gives every launch() a fresh, empty temporary profile
  // (--user-data-dir) of its own and removes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

/** Records console errors, uncaught exceptions and CSP violations of a page. */
export function instrument(page) {
  const log = { consoleErrors: [], pageErrors: [], csp: [] };
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy/i.test(text)) log.csp.push(text);
    else if (m.type() === 'error') {
      const loc = m.location();
      log.consoleErrors.push(loc?.url ? `${text} (${loc.url}:${loc.lineNumber})` : text);
    }
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e?.message || e)));
  page.__log = log;
  log.reset = () => { log.consoleErrors = []; log.pageErrors = []; log.csp = []; };
  /** Everything recorded since the last reset/take. */
  log.take = async () => {
    // Also read the securitypolicyviolation events caught by the init script.
    let events = [];
    try { events = await page.evaluate(() => (window.__cspEvents || []).splice(0)); } catch { /* navigated away */ }
    const out = {
      consoleErrors: log.consoleErrors.splice(0),
      pageErrors: log.pageErrors.splice(0),
      // each violation shows up both as a console message and as an event; the
      // event names the directive and the source, so prefer it
      csp: events.length ? events.map((e) => `securitypolicyviolation: ${e}`) : [...log.csp],
    };
    log.csp.splice(0);
    return out; // consumed: the next take() reports only what happened since
  };
  return log;
}

/** A new browser context of the given size, optionally with a signed-in session. */
export async function newContext(browser, baseURL, size, storageState) {
  const ctx = await browser.newContext({
    baseURL,
    ...SIZES[size],
    locale: 'nb-NO',
    timezoneId: 'Europe/Oslo',
    ...(storageState ? { storageState } : {}),
  });
  // Init scripts are injected by the DevTools protocol, not by the page, so
  // the app's CSP does not block them (and we do not bypass the CSP).
  await ctx.addInitScript(() => {
    window.__cspEvents = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspEvents.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || location.pathname}:${e.lineNumber}`);
    });
  });
  ctx.setDefaultTimeout(15_000);
  ctx.setDefaultNavigationTimeout(30_000);
  return ctx;
}

/**
 * Signs in through the form (mouse-free but not keyboard-simulated; the
 * keyboard flow has its own test). Returns the storage state.
 */
export async function signIn(ctx, email, password = PASSWORD) {
  const page = await ctx.newPage();
  try {
    const r = await page.goto('/login');
    if (!r || r.status() >= 400) throw new Error(`GET /login answered ${r?.status()}`);
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="password"]').fill(password);
    const form = page.locator('form:has(input[name="email"])');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first().click(),
    ]);
    const path = new URL(page.url()).pathname;
    if (path !== '/') {
      const msg = await page.locator('[role=alert], [role=status], .error, .errors, [aria-live]').allInnerTexts().catch(() => []);
      throw new Error(`sign-in as ${email} ended on ${path}, not / (${msg.join(' | ').slice(0, 300)})`);
    }
    return await ctx.storageState();
  } finally {
    await page.close();
  }
}
