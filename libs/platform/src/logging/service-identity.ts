import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Which process wrote a log line and from which release: the base of every line. */
export interface ServiceIdentity {
  readonly service: string;
  readonly version: string;
}

let serviceName = 'refund-desk';
let cachedVersion: string | undefined;

/** Each entry point names itself before anything logs (the all-in-one process keeps the default). */
export function setServiceName(name: string): void {
  serviceName = name;
}

/**
 * The version of the project's package.json: the nearest one named refund-desk above this file,
 * which is the repository root both from the sources (tests) and from dist/ (built, or in the image).
 */
export function serviceVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = __dirname;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'refund-desk' && pkg.version) return (cachedVersion = pkg.version);
      } catch {
        // An unreadable package.json on the way up is not ours; keep looking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return (cachedVersion = 'unknown');
    dir = parent;
  }
}

export function serviceIdentity(): ServiceIdentity {
  return { service: serviceName, version: serviceVersion() };
}
