import { GroupCommit, Outcome } from './group-commit';

interface Append {
  readonly streamId: string;
  readonly events: number;
  readonly name: string;
}

/** A writer whose batches finish when the test says so, recording what each batch held. */
function controlledWriter(answer: (append: Append) => Outcome<string> = (a) => ({ ok: true, value: `stored ${a.name}` })) {
  const batches: string[][] = [];
  const finishers: (() => void)[] = [];
  let failNext: unknown;
  const write = async (batch: readonly Append[]): Promise<Outcome<string>[]> => {
    batches.push(batch.map((a) => a.name));
    const error = failNext;
    failNext = undefined;
    await new Promise<void>((resolve) => finishers.push(resolve));
    if (error) throw error;
    return batch.map(answer);
  };
  return {
    write,
    batches,
    /** Lets the oldest unfinished batch finish, then lets the promises settle. */
    async finishOne(): Promise<void> {
      finishers.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
    failNextBatch(error: unknown): void {
      failNext = error;
    },
  };
}

const append = (name: string, streamId = name, events = 1): Append => ({ name, streamId, events });
const tick = () => new Promise((resolve) => setImmediate(resolve));
/** Settles at once into text, so a rejection is never left unhandled while the test waits. */
const told = (result: Promise<string>): Promise<string> => result.then(String, (e: Error) => `failed: ${e.message}`);

describe('GroupCommit', () => {
  it('writes a lone append at once, in a batch of its own', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 2, maxBatchEvents: 100 });
    const result = group.submit(append('a'));
    expect(writer.batches).toEqual([['a']]);
    await writer.finishOne();
    await expect(result).resolves.toBe('stored a');
  });

  it('lets appends that arrive while every slot is taken leave together in the next batch', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 2, maxBatchEvents: 100 });
    const results = ['a', 'b', 'c', 'd', 'e'].map((name) => group.submit(append(name)));
    expect(writer.batches).toEqual([['a'], ['b']]);
    await writer.finishOne();
    expect(writer.batches).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    await writer.finishOne();
    await writer.finishOne();
    await expect(Promise.all(results)).resolves.toEqual(['stored a', 'stored b', 'stored c', 'stored d', 'stored e']);
  });

  it('never puts two appends to one stream in a batch, and keeps the later one for the next', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 1, maxBatchEvents: 100 });
    const results = [append('first'), append('x1', 'x'), append('y1', 'y'), append('x2', 'x'), append('z1', 'z')].map((a) => group.submit(a));
    await writer.finishOne();
    await writer.finishOne();
    await writer.finishOne();
    expect(writer.batches).toEqual([['first'], ['x1', 'y1', 'z1'], ['x2']]);
    await expect(Promise.all(results)).resolves.toHaveLength(5);
  });

  it('keeps a batch within its events, in arrival order', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 1, maxBatchEvents: 5 });
    const results = [append('first'), append('a', 'a', 3), append('b', 'b', 2), append('c', 'c', 1), append('big', 'big', 9)].map((a) =>
      group.submit(a),
    );
    for (let i = 0; i < 4; i++) await writer.finishOne();
    // An append larger than the limit still leaves, alone: refusing it would refuse a valid command.
    expect(writer.batches).toEqual([['first'], ['a', 'b'], ['c'], ['big']]);
    await expect(Promise.all(results)).resolves.toHaveLength(5);
  });

  it("answers each append with its own outcome: one append's error fails none of the others", async () => {
    const conflict = new Error('conflict on b');
    const writer = controlledWriter((a) => (a.name === 'b' ? { ok: false, error: conflict } : { ok: true, value: `stored ${a.name}` }));
    const group = new GroupCommit(writer.write, { maxInFlight: 1, maxBatchEvents: 100 });
    const results = ['first', 'a', 'b', 'c'].map((name) => told(group.submit(append(name))));
    await writer.finishOne();
    await writer.finishOne();
    expect(writer.batches).toEqual([['first'], ['a', 'b', 'c']]);
    await expect(Promise.all(results)).resolves.toEqual(['stored first', 'stored a', 'failed: conflict on b', 'stored c']);
  });

  it('fails every append of a batch whose write fails, and goes on with the next batch', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 1, maxBatchEvents: 100 });
    const first = group.submit(append('first'));
    writer.failNextBatch(new Error('connection lost'));
    const failing = ['a', 'b'].map((name) => told(group.submit(append(name))));
    await writer.finishOne();
    const later = group.submit(append('later'));
    await writer.finishOne();
    await writer.finishOne();
    await expect(first).resolves.toBe('stored first');
    await expect(Promise.all(failing)).resolves.toEqual(['failed: connection lost', 'failed: connection lost']);
    await expect(later).resolves.toBe('stored later');
    expect(writer.batches).toEqual([['first'], ['a', 'b'], ['later']]);
  });

  it('fails a batch answered with the wrong number of outcomes rather than guess which is which', async () => {
    const group = new GroupCommit<Append, string>(async () => [{ ok: true, value: 'only one' }], { maxInFlight: 1, maxBatchEvents: 100 });
    const results = ['a', 'b', 'c'].map((name) => told(group.submit(append(name))));
    await tick();
    const refused = 'failed: group commit: a batch of 2 appends was answered with 1 outcomes';
    await expect(Promise.all(results)).resolves.toEqual(['only one', refused, refused]);
  });

  it('refuses settings that could never write', () => {
    const write = async () => [];
    expect(() => new GroupCommit(write, { maxInFlight: 0, maxBatchEvents: 10 })).toThrow('maxInFlight ≥ 1');
    expect(() => new GroupCommit(write, { maxInFlight: 1, maxBatchEvents: Number.NaN })).toThrow('maxBatchEvents ≥ 1');
  });
});
