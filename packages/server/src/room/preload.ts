/**
 * Holds what arrives before its consumer is ready, then hands it over in order. A socket's
 * frames wait here while its pad loads; a pad's bus messages wait here while it is read from
 * storage (subscribe first, then load, then catch up: nothing falls in the gap).
 */
export class Preload<T> {
  private held: T[] = [];
  private target: ((item: T) => void) | null = null;

  push(item: T): void {
    if (this.target) this.target(item);
    else this.held.push(item);
  }

  /** Delivers everything held, then every later item directly. */
  open(target: (item: T) => void): void {
    this.target = target;
    for (const item of this.held.splice(0)) target(item);
  }

  get ready(): boolean {
    return this.target !== null;
  }
}
