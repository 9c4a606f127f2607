import { padIdProblem } from '@padmesh/protocol';
import { HttpError } from './errors.js';

/** The pad id in a URL segment, or a 400 with the reason it is not one (H2). */
export function padFrom(raw: string): string {
  let pad: string;
  try {
    pad = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'pad name is not valid URL encoding');
  }
  const problem = padIdProblem(pad);
  if (problem) throw new HttpError(400, problem);
  return pad;
}
