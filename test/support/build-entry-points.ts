import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');

/**
 * Builds every entry point with the project's own build (nest build, tsconfig.build.json) into a
 * folder of its own inside the repository, so the built processes resolve node_modules and read
 * the package version as they do from dist/, without touching dist/ itself.
 */
export async function buildEntryPoints(): Promise<{ dir: string; entry(app: string): string; remove(): void }> {
  const dir = join(ROOT, '.build-test', `${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: relative(dir, join(ROOT, 'tsconfig.build.json')),
      compilerOptions: { outDir: './dist', tsBuildInfoFile: './dist/.tsbuildinfo' },
    }),
  );
  await promisify(execFile)(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', 'refund-desk', '-p', relative(ROOT, tsconfig)], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    dir,
    entry: (app: string) => join(dir, 'dist', 'apps', app, 'src', 'main.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
