// Screenshots of the engagement pages (by hand, not part of the suite).
import { launchBrowser, newContext, signIn } from './lib/browser.mjs';
const base = process.env.BASE || 'http://127.0.0.1:18150';
const out = process.env.OUT || '/tmp/engshots';
const shots = JSON.parse(process.env.SHOTS);
const browser = await launchBrowser();
for (const [email, size, path, name] of shots) {
  const ctx = await newContext(browser, base, size);
  await ctx.addCookies([]);
  const state = await signIn(ctx, email);
  const page = await ctx.newPage();
  const r = await page.goto(path);
  await page.waitForLoadState('networkidle');
  console.log(name, r.status());
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  await ctx.close();
}
await browser.close();
