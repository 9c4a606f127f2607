import type { z } from 'zod';
import { HttpError } from './errors.js';

/**
 * Parses a request body as JSON and checks it against `schema`. Either failure is a 400
 * whose message names the offending fields, so a client learns what to fix.
 */
export function parseJsonBody<T>(schema: z.ZodType<T>, raw: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
  const r = schema.safeParse(value);
  if (!r.success)
    throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}
