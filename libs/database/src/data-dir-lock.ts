import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The part of fs-native-extensions used here: an advisory lock on an open file. */
interface FileLocks {
  tryLock(fd: number, offset?: number, length?: number, options?: { shared?: boolean }): boolean;
  unlock(fd: number): void;
}

/** Who holds a data folder, as written in its lock file (for the message a second process gets). */
export interface DataDirHolder {
  readonly pid: number;
  readonly host?: string;
  readonly since?: string;
}

export class DataDirInUseError extends Error {
  readonly code = 'data_dir_in_use';
  constructor(
    readonly dir: string,
    readonly holder: DataDirHolder | null,
  ) {
    const who = holder ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.since ? `, running since ${holder.since}` : ''}` : 'another process';
    // "in use by process" is what the CLI looks for to point at the service's HTTP routes.
    super(`The embedded database in ${dir} is in use by ${who}. Stop it, or point DATA_DIR elsewhere.`);
    this.name = 'DataDirInUseError';
  }
}

export const DATA_DIR_LOCK_FILE = 'refund-desk.lock';
/** The pid file earlier versions wrote; removed once the folder is ours. */
const LEGACY_PID_FILE = 'refund-desk.pid';

let fileLocks: FileLocks | undefined;
function loadFileLocks(): FileLocks {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  fileLocks ??= require('fs-native-extensions') as FileLocks;
  return fileLocks;
}

const readHolder = (file: string): DataDirHolder | null => {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirHolder>;
    return typeof holder.pid === 'number' ? { pid: holder.pid, host: holder.host, since: holder.since } : null;
  } catch {
    return null;
  }
};

/**
 * Takes the data folder for this process: PGlite is one PostgreSQL backend inside the process,
 * and two processes on one folder would corrupt it.
 *
 * The lock is a kernel file lock (an open-file-description lock on Linux, flock on macOS,
 * LockFileEx on Windows, through fs-native-extensions), not a pid in a file: the kernel drops it
 * the moment the holder's file is closed, which a crash or `kill -9` does too. So a folder left
 * by a dead process is free at once, and a recycled pid can never keep it taken. The file keeps
 * the holder's pid, host and start time only to name it in the refusal.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, DATA_DIR_LOCK_FILE);
  const locks = loadFileLocks();
  // Opened without truncating: the holder's details must survive a refused attempt.
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  let locked = false;
  try {
    locked = locks.tryLock(fd);
    if (!locked) throw new DataDirInUseError(dir, readHolder(file));
    const holder: DataDirHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    ftruncateSync(fd, 0);
    writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
    rmSync(join(dir, LEGACY_PID_FILE), { force: true });
  } catch (error) {
    if (locked) locks.unlock(fd);
    closeSync(fd);
    throw error;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // The file stays: deleting it would let a process that opened it just before lock a file
    // nobody else can see any more, while a third locks a new one.
    try {
      ftruncateSync(fd, 0);
      locks.unlock(fd);
    } finally {
      closeSync(fd);
    }
  };
}
