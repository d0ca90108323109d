import { randomUUID } from 'node:crypto';

/** The only place the application reads the time; tests substitute a fixed or moving clock. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export abstract class IdGenerator {
  abstract newId(): string;
}

export class RandomIdGenerator extends IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
