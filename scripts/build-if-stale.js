#!/usr/bin/env node
/**
 * `npm run build` (the Nest apps, then the desk), but only when a source is newer than the last
 * build: the pre-hooks of `npm start`, `npm run cli`, `npm run token`, `npm run rebuild:read-models`
 * and `npm run test:browser` call this, so a command answers at once instead of recompiling the
 * project every time.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const STAMP = join(root, 'dist', '.build-stamp');
// `apps` holds the desk's sources too (apps/desk: its code, index.html and Vite config), so a change there rebuilds dist/desk.
const INPUTS = ['apps', 'libs', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file changes its folder's time
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

// A dist/ from before the desk existed has no desk to serve: build.
const builtAt = existsSync(STAMP) && existsSync(join(root, 'dist', 'desk', 'index.html')) ? statSync(STAMP).mtimeMs : 0;
const sourcesAt = Math.max(...INPUTS.map((input) => newest(join(root, input))));
if (builtAt >= sourcesAt) process.exit(0);

const startedAt = new Date();
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// Stamped with the start time: a file saved during the build makes the next call build again.
writeFileSync(STAMP, `${startedAt.toISOString()}\n`);
utimesSync(STAMP, startedAt, startedAt);
