import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from '@refund-desk/platform';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'enc:v1:';

/** A personal field as stored: `enc:v1:<keyId>:<iv>:<ciphertext+tag>` (base64url). */
export const isEncryptedField = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX);

export const keyIdOf = (token: string): string => token.slice(PREFIX.length).split(':')[0];

/** AES-256-GCM with the key id as associated data, so a token only opens under the key it names. */
export function encryptField(key: Buffer, keyId: string, plaintext: string): string {
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(keyId));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${keyId}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
}

export function decryptField(key: Buffer, token: string): string {
  const [keyId, ivText, sealedText] = token.slice(PREFIX.length).split(':');
  const sealed = Buffer.from(sealedText, 'base64url');
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(ivText, 'base64url'));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** Seals a data key under the master key; the customer and key ids are bound in as associated data. */
export function wrapKey(masterKey: Buffer, dataKey: Buffer, binding: string): Buffer {
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, masterKey, iv);
  cipher.setAAD(Buffer.from(binding));
  return Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
}

export function unwrapKey(masterKey: Buffer, wrapped: Buffer, binding: string): Buffer {
  const iv = wrapped.subarray(0, IV_BYTES);
  const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, masterKey, iv);
  decipher.setAAD(Buffer.from(binding));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
}
