#!/usr/bin/env node
/**
 * `node scripts/parallel.mjs <npm script>...`: runs the named npm scripts at the same time and fails when any
 * fails. The checks of `npm test` (eslint, prettier, knip, tsc) are each one thread; side by side they take the
 * longest one's time instead of their sum. Each script's output is printed whole when it ends, so two tools'
 * lines never interleave.
 */
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node scripts/parallel.mjs <npm script>...');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => out.push(c));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(out).toString('utf8');
      if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      console.log(`${ok ? 'ok' : 'FAILED'}: npm run ${name} (${secs} s${ok ? '' : `, ${signal ?? `exit ${code}`}`})`);
      resolve(ok);
    });
  });
}

const results = await Promise.all(names.map(run));
const failed = names.filter((_, i) => !results[i]);
if (failed.length > 0) {
  console.error(`failed: ${failed.map((n) => `npm run ${n}`).join(', ')}`);
  process.exit(1);
}
