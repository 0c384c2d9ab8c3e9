// Starts the real Likeperson binary on a fresh SQLite database with demo data.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..', '..');

export function binaryPath() {
  return process.env.LIKEPERSON_BIN
    ? resolve(process.env.LIKEPERSON_BIN)
    : join(repoRoot, 'target', 'debug', 'likeperson');
}

async function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startServer({ timeoutMs = 60_000 } = {}) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(`Likeperson binary not found at ${bin} (build it with \`cargo build\` or set LIKEPERSON_BIN)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'likeperson-browser-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  let stderr = '';
  let stdout = '';
  const keep = (buf, chunk) => (buf + chunk).slice(-200_000);
  const child = spawn(bin, ['serve', '--bind', `127.0.0.1:${port}`, '--demo'], {
    cwd: dataDir,
    env: {
      ...process.env,
      DATABASE_URL: join(dataDir, 'likeperson.db'),
      LIKEPERSON_DATA_DIR: dataDir,
      RUST_LOG: process.env.RUST_LOG || 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c) => { stdout = keep(stdout, c.toString()); });
  child.stderr.on('data', (c) => { stderr = keep(stderr, c.toString()); });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  // never leave the server behind, even when the test run is interrupted
  const reap = () => { if (!exited) { try { child.kill('SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', reap);

  const server = {
    baseURL,
    port,
    dataDir,
    child,
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    get exited() { return exited; },
    /** Text to show when something went wrong on the server side. */
    logs(tail = 8000) {
      return `--- likeperson stderr (last ${tail} chars) ---\n${stderr.slice(-tail)}\n--- likeperson stdout (last 2000 chars) ---\n${stdout.slice(-2000)}`;
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
        if (!exited) child.kill('SIGKILL');
        for (let i = 0; i < 20 && !exited; i++) await sleep(100);
      }
      if (!process.env.KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + timeoutMs;
  let lastErr = '';
  while (Date.now() < deadline) {
    if (exited) {
      process.stderr.write(server.logs(20000) + '\n');
      throw new Error(`likeperson exited before answering /healthz (code ${exited.code}, signal ${exited.signal})`);
    }
    try {
      const r = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return server;
      lastErr = `status ${r.status}`;
    } catch (e) {
      lastErr = e.cause?.code || e.message;
    }
    await sleep(250);
  }
  process.stderr.write(server.logs(20000) + '\n');
  await server.stop();
  throw new Error(`likeperson did not answer 200 on /healthz within ${timeoutMs / 1000}s (last: ${lastErr})`);
}
