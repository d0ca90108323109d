/**
 * Progress lines on stderr for long scenarios (stdout carries the table), at most one every
 * two seconds per task, so a run of many minutes shows it is alive and how fast it goes.
 */
export class Progress {
  private last = 0;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  tick(done: number): void {
    const now = Date.now();
    if (now - this.last < 2_000 && done < this.total) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const pct = this.total > 0 ? Math.floor((100 * done) / this.total) : 100;
    process.stderr.write(`  ${this.label}: ${done}/${this.total} (${pct}%), ${rate}/s\n`);
  }
}

export const say = (line: string): void => void process.stderr.write(`${line}\n`);
