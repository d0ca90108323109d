/**
 * Installs the peer libraries the bench compares against (bench/peers) from their lock file,
 * once: again only when the lock changed, so a second `npm run bench` needs no registry.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const peers = join(__dirname, '..', 'peers');
const lock = readFileSync(join(peers, 'package-lock.json'), 'utf8');
const installed = join(peers, 'node_modules', '.package-lock.json');
const current = existsSync(installed) && JSON.stringify(JSON.parse(readFileSync(installed, 'utf8')).packages) === JSON.stringify(
  Object.fromEntries(Object.entries(JSON.parse(lock).packages).filter(([name]) => name !== '')),
);
if (!current) {
  process.stderr.write('Installing the bench peers (bench/peers) from their lock file…\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: peers, stdio: 'inherit' });
}
