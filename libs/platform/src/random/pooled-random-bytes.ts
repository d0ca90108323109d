import { randomBytes } from 'node:crypto';

/** Filled by the CSPRNG this many bytes at a time: a few hundred IVs or span ids per fill. */
const POOL_BYTES = 4096;
/** Larger requests (keys) are rare: they go to the CSPRNG directly and leave the pool alone. */
const POOLED_MAX = 64;

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Cryptographically secure random bytes, drawn from a pool the CSPRNG fills 4 KiB at a time, as
 * Node itself buffers the bytes of `randomUUID`. A synchronous `randomBytes(12)` runs a native job
 * per call: under load it was 8% of the API's CPU (an IV per sealed field, two ids per trace), and
 * the pool makes each call a slice.
 *
 * Every byte is handed out once: a fill is a new buffer, never the old one written over, so what a
 * caller holds stays its own and no two callers share bytes. Uniqueness of AES-GCM IVs rests on
 * that, exactly as it rests on the CSPRNG not repeating itself with direct calls.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`pooledRandomBytes needs a whole number of bytes ≥ 0, got ${size}`);
  if (size > POOLED_MAX) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}
