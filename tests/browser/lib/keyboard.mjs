// Keyboard-only helpers: reach things with Tab, act with Enter/Space/arrows.

/** Starts sequential focus navigation from the top of the document. */
export async function focusTop(page) {
  await page.evaluate(() => {
    document.activeElement?.blur?.();
    const b = document.body;
    b.setAttribute('tabindex', '-1');
    b.focus({ preventScroll: true });
    b.removeAttribute('tabindex');
  });
}

export async function describeFocus(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    return a && a !== document.body ? a.outerHTML.slice(0, 160) : '(body)';
  });
}

/**
 * Presses Tab until the focused element matches `selector` (or `fn(el)` in the
 * page returns true). Returns the number of presses, or -1 when not reached.
 */
export async function tabTo(page, selector, { max = 80, shift = false } = {}) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    const hit = await page.evaluate((sel) => {
      const a = document.activeElement;
      return !!(a && a !== document.body && a.matches(sel));
    }, selector);
    if (hit) return i;
  }
  return -1;
}

/** Text of live regions and flash/status messages on the page. */
export async function liveRegionText(page) {
  return page.evaluate(() => [...document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role=status], [role=alert]')]
    .map((e) => e.textContent.trim().replace(/\s+/g, ' '))
    .filter(Boolean));
}

/** First link in any <nav> whose text or href matches. */
export async function menuLink(page, re) {
  const links = await page.evaluate(() => [...document.querySelectorAll('nav a[href]')].map((a) => ({
    href: new URL(a.getAttribute('href'), location.href).pathname, text: a.textContent.trim().replace(/\s+/g, ' '),
  })));
  return links.find((l) => re.test(l.text) || re.test(l.href)) || null;
}

function today() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Oslo' });
}

const VALUE_BY_NAME = [
  [/e-?post|email/i, 'nettlesertest@example.org'],
  [/phone|tlf|telefon|mobil/i, '12345678'],
  [/\bkm\b|km$|distance|distanse|kilomet/i, '12'],
  [/amount|bel(o|ø)p|sum|kroner|nok|ore|øre/i, '100'],
  [/minut|duration|varighet/i, '60'],
  [/participants|deltakere|antall/i, '3'],
  [/hours|timer/i, '1'],
];

/**
 * Walks a form with Tab and fills what needs filling from the keyboard:
 * required fields, and empty selects/numbers. Date and time inputs are set
 * with fill() because their segment order depends on the locale.
 * Returns a list of notes (what was filled), or throws with a reason.
 */
export async function fillFormByKeyboard(page, formSel) {
  const notes = [];
  const form = page.locator(formSel).first();
  const firstField = 'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea';
  await focusTop(page);
  const reached = await tabTo(page, `${formSel} :is(${firstField}), ${formSel} button, ${formSel} input[type=submit]`, { max: 120 });
  if (reached < 0) throw new Error(`could not Tab into ${formSel}`);
  for (let guard = 0; guard < 60; guard++) {
    const info = await page.evaluate((fs) => {
      const a = document.activeElement;
      const f = document.querySelector(fs);
      if (!a || !f || !f.contains(a) && a.form !== f) return { outside: true };
      const type = (a.getAttribute('type') || (a.tagName === 'INPUT' ? 'text' : a.tagName.toLowerCase())).toLowerCase();
      const labelText = (a.labels && a.labels[0] ? a.labels[0].textContent : a.getAttribute('aria-label') || '').trim();
      return {
        tag: a.tagName, type, name: a.getAttribute('name') || '', label: labelText,
        required: a.required || a.getAttribute('aria-required') === 'true',
        value: a.value ?? '', checked: !!a.checked, min: a.getAttribute('min'), max: a.getAttribute('max'),
        isSubmit: (a.tagName === 'BUTTON' && (a.type === 'submit')) || (a.tagName === 'INPUT' && a.type === 'submit'),
        groupChecked: a.type === 'radio' ? !!(a.form && [...a.form.querySelectorAll(`input[type=radio][name="${a.name}"]`)].some((r) => r.checked)) : false,
        firstOptionEmpty: a.tagName === 'SELECT' ? (a.options[0] && a.options[0].value === '') : false,
        optionCount: a.tagName === 'SELECT' ? a.options.length : 0,
      };
    }, formSel);
    if (info.outside) break;
    if (info.isSubmit) return notes;
    const key = `${info.name} ${info.label}`;
    if (info.tag === 'SELECT') {
      if ((info.value === '' || info.firstOptionEmpty && info.value === '') && info.optionCount > 1) {
        await page.keyboard.press('ArrowDown');
        let v = await page.evaluate(() => document.activeElement.value);
        if (!v) {
          await page.evaluate(() => { const s = document.activeElement; s.selectedIndex = 1; s.dispatchEvent(new Event('change', { bubbles: true })); });
          v = await page.evaluate(() => document.activeElement.value);
          notes.push(`${info.name}: chose option 2 (ArrowDown did not change a closed <select>)`);
        } else notes.push(`${info.name}: ArrowDown -> ${v}`);
      }
    } else if (info.type === 'checkbox') {
      if (info.required && !info.checked) { await page.keyboard.press('Space'); notes.push(`${info.name}: checked`); }
    } else if (info.type === 'radio') {
      if (info.required && !info.groupChecked) { await page.keyboard.press('Space'); notes.push(`${info.name}: chose first`); }
    } else if (info.type === 'file') {
      if (info.required) throw new Error(`field ${info.name} needs a file upload`);
    } else if (info.value === '' && (info.required || info.type === 'number')) {
      let value;
      if (info.type === 'date') value = today();
      else if (info.type === 'time') value = '10:00';
      else if (info.type === 'datetime-local') value = `${today()}T10:00`;
      else if (info.type === 'month') value = today().slice(0, 7);
      else if (info.type === 'email') value = 'nettlesertest@example.org';
      else if (info.type === 'tel') value = '12345678';
      else if (info.type === 'url') value = 'https://example.org/';
      else {
        value = (VALUE_BY_NAME.find(([re]) => re.test(key)) || [null, info.type === 'number' ? '1' : 'Nettlesertest'])[1];
        if (info.type === 'number') {
          const min = info.min !== null ? Number(info.min) : null;
          const max = info.max !== null ? Number(info.max) : null;
          if (min !== null && Number(value) < min) value = String(min);
          if (max !== null && Number(value) > max) value = String(max);
        }
      }
      if (['date', 'time', 'datetime-local', 'month'].includes(info.type)) {
        await page.evaluate((v) => { const a = document.activeElement; a.value = v; a.dispatchEvent(new Event('input', { bubbles: true })); a.dispatchEvent(new Event('change', { bubbles: true })); }, value);
      } else {
        await page.keyboard.type(value);
      }
      notes.push(`${info.name || info.label}: ${value}`);
    }
    await page.keyboard.press('Tab');
  }
  // focus left the form before reaching its submit button: Tab to it
  const n = await tabTo(page, `${formSel} button[type=submit], ${formSel} button:not([type]), ${formSel} input[type=submit]`, { max: 20, shift: true });
  if (n < 0) throw new Error(`could not Tab to the submit button of ${formSel}`);
  return notes;
}
