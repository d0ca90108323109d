import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second across all connections; unset: as fast as the server answers. */
  readonly rate?: number;
  /** A sequence each connection cycles through (autocannon's `requests`), e.g. one per user. */
  readonly requests?: ReadonlyArray<{ readonly method?: string; readonly path: string; readonly headers?: Record<string, string> }>;
}

export interface LoadResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, { count: number }>;
  readonly seconds: number;
}

/** HTTP load from a child process (see load-generator.js). */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const cannon = {
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
    timeout: 10,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'load-generator.js'), JSON.stringify(cannon)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim()) as LoadResult);
      } catch {
        reject(new Error(`load generator exited without a result (code ${code}): ${JSON.stringify(out.slice(0, 500))}`));
      }
    });
  });
}
