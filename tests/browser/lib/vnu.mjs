// HTML validity: each crawled page's HTML (as the server sent it, before any
// script ran) is written to a temporary folder, and the W3C Nu checker
// (npm `vnu-jar`, on the machine's Java) checks them all in one run at the end:
// one JVM start instead of one per page.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// htmx's own attributes (hx-get, hx-post, hx-target, hx-headers, ...) are the app's
// vocabulary, not HTML; the checker flags every one of them. Only that message is let
// through, for `hx-` attributes alone: any other attribute error still counts.
const HTMX_ATTRIBUTE = /^Attribute “hx-[a-z:.-]+” not allowed on element “[a-z0-9]+” at this point\.$/;

/** Collects pages, then validates them with one `java -jar vnu.jar` run. */
export class HtmlValidator {
  constructor() {
    this.dir = null;
    this.pages = new Map(); // file name -> { who, page }
  }

  /** Keeps one page's HTML for the check at the end. */
  add(who, page, html) {
    if (!this.dir) this.dir = mkdtempSync(join(tmpdir(), 'likeperson-vnu-'));
    const name = `${String(this.pages.size).padStart(4, '0')}.html`;
    writeFileSync(join(this.dir, name), html);
    this.pages.set(name, { who, page });
  }

  get size() { return this.pages.size; }

  /**
   * Runs the checker over every page kept. Returns findings
   * ({ who, page, size, kind: 'html', message }), one per error.
   */
  async validate() {
    if (!this.pages.size) return [];
    const jar = vnuJar();
    const java = process.env.JAVA || 'java';
    const files = [...this.pages.keys()].map((f) => join(this.dir, f));
    // -Xss: the checker recurses deeply on long pages; the default stack is too small for some
    const { stdout, stderr } = await run(java, ['-Xss8m', '-jar', jar, '--errors-only', '--format', 'json', '--exit-zero-always', ...files]);
    let messages;
    try {
      ({ messages } = JSON.parse(stderr || stdout));
    } catch {
      throw new Error(`vnu printed no JSON report:\n${(stderr || stdout).slice(0, 2000)}`);
    }
    const errors = messages.filter((m) => (m.type === 'error' || m.type === 'non-document-error') && !HTMX_ATTRIBUTE.test(m.message));
    return errors.map((m) => {
      const name = m.url ? fileURLToPath(m.url).split('/').pop() : '';
      const where = this.pages.get(name) || { who: 'vnu', page: m.url || '(unknown)' };
      const line = m.lastLine ? ` (line ${m.lastLine})` : '';
      const extract = m.extract ? ` — ${m.extract.replace(/\s+/g, ' ').trim().slice(0, 160)}` : '';
      return { who: where.who, page: where.page, size: 'desktop', kind: 'html', message: `${m.message}${line}${extract}` };
    });
  }

  cleanup() {
    if (this.dir && !process.env.KEEP_DATA) rmSync(this.dir, { recursive: true, force: true });
  }
}

function vnuJar() {
  const jar = join(require.resolve('vnu-jar/package.json'), '..', 'build', 'dist', 'vnu.jar');
  if (!existsSync(jar)) throw new Error(`vnu.jar not found at ${jar} (run npm ci in tests/browser)`);
  return jar;
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: 5 * 60 * 1000 }, (err, stdout, stderr) => {
      if (err && err.code === 'ENOENT') reject(new Error(`${cmd} not found: the HTML check needs Java (set JAVA=/path/to/java)`));
      else if (err && !stderr && !stdout) reject(err);
      else resolve({ stdout, stderr });
    });
  });
}
