import type { Frame, PadView } from './frames.js';

/** One family of hostile input: frames to send, in order, on one connection. */
export interface Generator {
  readonly name: string;
  make(view: PadView): Frame[];
}
