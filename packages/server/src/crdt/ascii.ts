import * as decoding from 'lib0/decoding';

/**
 * If the varstring at the decoder's position is all ASCII and at most `max` bytes, returns its
 * length and leaves the decoder at the first byte of its text; otherwise returns -1 and leaves
 * the decoder where it was, for lib0's `readVarString` (which validates UTF-8 as Yjs does). For
 * ASCII, UTF-8 decoding is the identity and the UTF-16 length is the byte count: a TextDecoder
 * call per keystroke was a third to a half of reading one. A length past the bytes throws: in a
 * pooled buffer, a view past the frame would read a neighbour's memory.
 */
export function asciiVarString(d: decoding.Decoder, max = Number.POSITIVE_INFINITY): number {
  const at = d.pos;
  const n = decoding.readVarUint(d);
  const end = d.pos + n;
  if (end > d.arr.length) throw new Error('unexpected end of array');
  let i = d.pos;
  if (n <= max) while (i < end && d.arr[i]! < 0x80) i++;
  if (n <= max && i === end) return n;
  d.pos = at;
  return -1;
}
