import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:8391';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
async function login(email, width) {
  const ctx = await browser.newContext({ baseURL: base, viewport: { width, height: 900 } });
  const page = await ctx.newPage();
  await page.goto('/login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'likeperson-demo');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  return { ctx, page };
}
const which = process.argv[2] || 'all';
for (const width of [1280, 390]) {
  {
    const { ctx, page } = await login('mentor@nhf.example', width);
    await page.goto('/events'); await page.screenshot({ path: `/tmp/ev-shot/mentor-list-${width}.png`, fullPage: true });
    const href = await page.locator('main .card h3 a').first().getAttribute('href');
    await page.goto(href); await page.screenshot({ path: `/tmp/ev-shot/mentor-show-${width}.png`, fullPage: true });
    await ctx.close();
  }
  {
    const { ctx, page } = await login('coordinator@nhf.example', width);
    await page.goto('/events'); await page.screenshot({ path: `/tmp/ev-shot/coord-list-${width}.png`, fullPage: true });
    const href = await page.locator('main table a').first().getAttribute('href');
    await page.goto(href); await page.screenshot({ path: `/tmp/ev-shot/coord-show-${width}.png`, fullPage: true });
    await page.goto('/events/new'); await page.screenshot({ path: `/tmp/ev-shot/coord-new-${width}.png`, fullPage: true });
    const all = await page.goto('/events');
    const produced = await page.locator('main table a', { hasText: 'erfaringsutveksling' }).first().getAttribute('href');
    await page.goto(produced); await page.screenshot({ path: `/tmp/ev-shot/coord-produced-${width}.png`, fullPage: true });
    await ctx.close();
  }
}
await browser.close();
