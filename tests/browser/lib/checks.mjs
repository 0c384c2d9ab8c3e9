// The checks every page must pass, at every size.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Evaluated through the DevTools protocol (page.evaluate), which the page's
// `script-src 'self'` does not apply to, so the CSP stays in force and any
// violation by the app itself is still reported.
const AXE_SOURCE = readFileSync(require.resolve('axe-core'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export async function runAxe(page) {
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        impact: n.impact,
        html: n.html.slice(0, 200),
        summary: (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 400),
      })),
    }));
  }, AXE_TAGS);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fields a person fills in, and whether each has an accessible label. */
export async function unlabelledFields(page) {
  return page.evaluate(() => {
    const visible = (el) => {
      const s = getComputedStyle(el);
      if (s.display === 'none' || s.visibility === 'hidden') return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 || r.height > 0 || el.getClientRects().length > 0;
    };
    const textOf = (id) => {
      const el = document.getElementById(id);
      return el ? el.textContent.trim() : '';
    };
    const out = [];
    const fields = document.querySelectorAll('input, select, textarea');
    for (const el of fields) {
      if (el.tagName === 'INPUT' && ['hidden', 'submit', 'button', 'reset', 'image'].includes((el.getAttribute('type') || 'text').toLowerCase())) continue;
      if (!visible(el)) continue;
      const aria = (el.getAttribute('aria-label') || '').trim();
      const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean).map(textOf).join(' ').trim();
      const forLabel = el.id ? [...document.querySelectorAll('label')].filter((l) => l.htmlFor === el.id).map((l) => l.textContent.trim()).join(' ') : '';
      const wrap = el.closest('label') ? el.closest('label').textContent.trim() : '';
      if (aria || by || forLabel || wrap) continue;
      const sel = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}[name="${el.getAttribute('name') || ''}"]`;
      out.push(sel);
    }
    return out;
  });
}

/**
 * Tab once from a fresh page load: the first focusable element must be a link
 * to #main, visible while focused; Enter must move the hash/focus to <main id="main">,
 * and the next Tab must land after the header, not back in it.
 */
export async function checkSkipLink(page) {
  const problems = [];
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return null;
    const r = a.getBoundingClientRect();
    return {
      tag: a.tagName,
      href: a.getAttribute('href'),
      text: (a.textContent || '').trim().slice(0, 60),
      html: a.outerHTML.slice(0, 160),
      box: { x: r.x, y: r.y, w: r.width, h: r.height },
      vw: window.innerWidth,
      vh: window.innerHeight,
    };
  });
  if (!first) return ['skip link: Tab from the top of the page focused nothing'];
  if (first.tag !== 'A' || !/#main$/.test(first.href || '')) {
    return [`skip link: first focusable element is ${first.html}, not a link to #main`];
  }
  const b = first.box;
  if (b.w < 2 || b.h < 2 || b.x + b.w <= 0 || b.y + b.h <= 0 || b.x >= first.vw || b.y >= first.vh) {
    problems.push(`skip link: not visible while focused (box ${JSON.stringify(b)}) (WCAG 2.4.7)`);
  }
  const mainOk = await page.evaluate(() => {
    const m = document.getElementById('main');
    return m ? (m.tagName === 'MAIN' || m.getAttribute('role') === 'main') : null;
  });
  if (mainOk === null) return [...problems, 'skip link: no element with id="main"'];
  if (!mainOk) problems.push('skip link: #main is not the main landmark (<main> or role=main)');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(50);
  const after = await page.evaluate(() => {
    const m = document.getElementById('main');
    const a = document.activeElement;
    return { hash: location.hash, focusInMain: !!(m && a && (a === m || m.contains(a))) };
  });
  if (after.hash !== '#main' && !after.focusInMain) {
    problems.push(`skip link: Enter did not move to #main (hash "${after.hash}", focus not in main)`);
    return problems;
  }
  const focusableAfter = await page.evaluate(() => {
    const m = document.getElementById('main');
    const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), summary';
    return [...document.querySelectorAll(sel)].some((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
      && (m.contains(el) || (m.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)));
  });
  if (!focusableAfter) return problems; // nothing to reach after <main>: Tab wraps around, which is fine
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => {
    const m = document.getElementById('main');
    const a = document.activeElement;
    if (!a || a === document.body || !m) return { ok: true };
    // FOLLOWING = 4: a comes after main starts; CONTAINED_BY = 16
    const pos = m.compareDocumentPosition(a);
    const ok = a === m || m.contains(a) || (pos & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    return { ok, html: a.outerHTML.slice(0, 120) };
  });
  if (!next.ok) problems.push(`skip link: after skipping, the next Tab went back before <main> to ${next.html}`);
  return problems;
}

/** Horizontal scrolling of the whole page at phone width (WCAG 1.4.10 Reflow). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const over = doc.scrollWidth - window.innerWidth;
    if (over <= 1) return null;
    // name the widest offenders to make the finding actionable
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && r.width > 0) {
        let p = el.parentElement, clipped = false;
        while (p && p !== document.body) {
          const ox = getComputedStyle(p).overflowX;
          if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') { clipped = true; break; }
          p = p.parentElement;
        }
        if (!clipped) culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(r.right)}px)`);
      }
      if (culprits.length >= 3) break;
    }
    return `page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px viewport; overflowing: ${culprits.join(', ') || 'unknown'}`;
  });
}

/** Same-origin GET links on the page that the crawl may follow. */
export async function crawlableLinks(page) {
  return page.evaluate(() => {
    const out = [];
    for (const a of document.querySelectorAll('a[href]')) {
      if (a.hasAttribute('download')) continue;
      const raw = a.getAttribute('href');
      if (!raw || raw.startsWith('#') || /^(mailto|tel|javascript|sms|data):/i.test(raw)) continue;
      let u;
      try { u = new URL(raw, location.href); } catch { continue; }
      if (u.origin !== location.origin) continue;
      const p = u.pathname;
      if (/^\/static\//.test(p)) continue;
      if (/\/(logout|log-out|logg-ut|sign-out|signout)(\/|$)/i.test(p)) continue;
      if (/\.(csv|pdf|png|jpe?g|gif|svg|ico|zip|xlsx?|json|txt|css|js|webp)$/i.test(p)) continue;
      out.push({ url: u.pathname + u.search, text: (a.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80), inNav: !!a.closest('nav') });
    }
    return out;
  });
}
