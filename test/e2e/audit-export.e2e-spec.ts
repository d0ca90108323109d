import { describeWithPostgres } from '../support/postgres';
import { startTestApp, TestApp } from '../support/test-app';

const EVENTS = 60_000;
/** Events every store starts with: the default policy and the default legal rules, each installed on first start. */
const SEEDED = 2;
const PAYLOAD = 'x'.repeat(2_000);

/** Streams the export line by line, never holding it whole; stops early when told. */
/** Live heap after a full collection: garbage not yet collected would hide or fake a leak. */
function liveHeap(): number {
  const gc = (global as { gc?: () => void }).gc;
  if (!gc) throw new Error('run jest with node --expose-gc (npm test does)');
  gc();
  return process.memoryUsage().heapUsed;
}

async function streamExport(t: TestApp, query: string, token: string, stopAfter = Infinity) {
  const controller = new AbortController();
  const response = await fetch(`${t.url}/v1/audit/events${query}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let lines = 0;
  let bytes = 0;
  let lastPosition = 0;
  let firstPosition: number | undefined;
  let peakHeap = liveHeap();
  const positions = new Set<number>();
  let sampledAt = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const position = Number(/"position":(\d+)/.exec(line)![1]);
        // The status, headers and first line against the OpenAPI document (checking every line would measure ajv, not the export).
        if (firstPosition === undefined) t.checkResponse('GET', `/v1/audit/events${query}`, response.status, response.headers, `${line}\n`);
        firstPosition ??= position;
        positions.add(position);
        lastPosition = position;
        lines += 1;
        if (lines >= stopAfter) {
          controller.abort();
          return { lines, bytes, lastPosition, firstPosition, positions, peakHeap };
        }
      }
      if (lines - sampledAt >= 5_000) {
        sampledAt = lines;
        peakHeap = Math.max(peakHeap, liveHeap());
      }
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
  return { lines, bytes, lastPosition, firstPosition, positions, peakHeap };
}

describeWithPostgres('audit export of a large log', () => {
  let t: TestApp;
  let auditor: string;

  beforeAll(async () => {
    t = await startTestApp({ store: 'postgres' });
    auditor = t.token('aud', ['auditor']);
    // A large log written straight into the table: the export only reads it.
    await t.db.query(
      `INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, occurred_at)
       SELECT 'bulkStream-' || (g % 1000), g / 1000 + 1, gen_random_uuid(), 'BulkEvent',
              jsonb_build_object('n', g, 'payload', $1::text),
              jsonb_build_object('actor', 'bulk', 'occurredAt', now(), 'correlationId', g::text, 'causationId', null, 'prevHash', '', 'hash', ''),
              now()
         FROM generate_series(0, $2 - 1) AS g`,
      [PAYLOAD, EVENTS],
    );
  }, 120_000);
  afterAll(async () => {
    // The aborted download above must not hold shutdown beyond the grace period.
    const started = Date.now();
    await t?.close();
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 120_000);

  it('streams 100+ MB as NDJSON with the heap staying flat, and resumes from the last position seen', async () => {
    const baseline = liveHeap();
    const whole = await streamExport(t, '?form=stored', auditor);
    expect(whole.lines).toBe(EVENTS + SEEDED);
    expect(whole.bytes).toBeGreaterThan(100 * 1024 * 1024);
    // Buffering the export would cost well over its size in heap; streaming stays within a few pages.
    expect(whole.peakHeap - baseline).toBeLessThan(32 * 1024 * 1024);

    const cut = await streamExport(t, '?form=stored', auditor, 25_000);
    expect(cut.lines).toBe(25_000);
    const rest = await streamExport(t, `?form=stored&fromPosition=${cut.lastPosition}`, auditor);
    expect(cut.lines + rest.lines).toBe(EVENTS + SEEDED);
    for (const position of rest.positions) expect(cut.positions.has(position)).toBe(false);
    expect(rest.firstPosition).toBeGreaterThan(cut.lastPosition);
  }, 180_000);
});
