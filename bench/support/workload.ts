import { randomUUID } from 'node:crypto';

/**
 * The append workload every system gets: `appends` single-event appends spread evenly over
 * `streams` streams, each with the stream version its writer last saw (optimistic concurrency).
 * Writer w owns the streams s with s % writers == w, so writers never race for a stream and
 * every append is expected to succeed; a conflict would show up as an error, not be retried.
 */
export interface AppendWorkload {
  readonly appends: number;
  readonly streams: number;
  readonly writers: number;
}

export interface AppendJob {
  readonly stream: number;
  /** Events already in the stream before this append. */
  readonly expectedVersion: number;
}

export function jobsOfWriter(workload: AppendWorkload, writer: number): AppendJob[] {
  const versions = new Map<number, number>();
  const jobs: AppendJob[] = [];
  for (let i = 0; i < workload.appends; i++) {
    const stream = i % workload.streams;
    if (stream % workload.writers !== writer) continue;
    const expectedVersion = versions.get(stream) ?? 0;
    versions.set(stream, expectedVersion + 1);
    jobs.push({ stream, expectedVersion });
  }
  return jobs;
}

/** A note-sized payload (≈300 bytes of JSON), as a case's NoteAdded carries. */
export function notePayload(stream: number, version: number): { data: Record<string, unknown>; metadata: Record<string, unknown> } {
  return {
    data: {
      noteId: randomUUID(),
      text: `Customer called again about the order; agent checked the courier's scan history (${stream}/${version}).`,
      evidence: [{ kind: 'photo', uri: `https://files.example.com/e/${stream}-${version}.jpg` }],
      addedBy: 'agent_bench',
    },
    metadata: {
      actor: 'agent_bench',
      occurredAt: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: null,
    },
  };
}

export interface WriterRun {
  readonly ms: number;
  readonly latenciesMs: number[];
  readonly errors: number;
  readonly firstError?: string;
}

/**
 * Runs `writers` concurrent loops, each appending its jobs one after another, and times the
 * whole run and every append.
 */
export async function runWriters(
  workload: AppendWorkload,
  append: (job: AppendJob) => Promise<void>,
  onProgress?: (done: number) => void,
): Promise<WriterRun> {
  return runBatchedWriters(workload, 1, (jobs) => append(jobs[0]), onProgress);
}

/**
 * The same loops writing `batch` jobs at a time (the multi-row reference): each job's latency is
 * its batch's, and a failed batch counts each of its jobs as an error.
 */
export async function runBatchedWriters(
  workload: AppendWorkload,
  batch: number,
  append: (jobs: readonly AppendJob[]) => Promise<void>,
  onProgress?: (done: number) => void,
): Promise<WriterRun> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workload.writers }, async (_, writer) => {
      const jobs = jobsOfWriter(workload, writer);
      for (let i = 0; i < jobs.length; i += batch) {
        const chunk = jobs.slice(i, i + batch);
        const t0 = process.hrtime.bigint();
        try {
          await append(chunk);
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          for (let j = 0; j < chunk.length; j++) latenciesMs.push(ms);
        } catch (error) {
          errors += chunk.length;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
        done += chunk.length;
        onProgress?.(done);
      }
    }),
  );
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, latenciesMs, errors, firstError };
}
