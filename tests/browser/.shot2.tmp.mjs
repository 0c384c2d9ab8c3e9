import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:8391';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
for (const width of [1280, 390]) {
  const ctx = await browser.newContext({ baseURL: base, viewport: { width, height: 900 } });
  const page = await ctx.newPage();
  await page.goto('/login');
  await page.fill('input[name=email]', 'coordinator@nhf.example');
  await page.fill('input[name=password]', 'likeperson-demo');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  await page.goto('/events');
  const href = await page.locator('main table a', { hasText: 'Turgruppe' }).first().getAttribute('href');
  await page.goto(href);
  if (width === 1280) {
    await page.locator('main button', { hasText: /^Møtte:/ }).first().click();
    await page.waitForTimeout(500);
    await page.locator('main button', { hasText: /^Møtte ikke:/ }).last().click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: `/tmp/ev-shot/coord-marked-htmx-${width}.png`, fullPage: true });
    console.log('focused:', await page.evaluate(() => document.activeElement.outerHTML.slice(0, 200)));
  }
  await page.goto(href);
  await page.screenshot({ path: `/tmp/ev-shot/coord-produce-${width}.png`, fullPage: true });
  await ctx.close();
}
await browser.close();
