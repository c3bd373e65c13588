// Binary search over sorted numbers, for the symbol tables (kernel symbols,
// JIT perf maps, inferred function spans): the entry that starts at or before
// an address is the only one that can hold it.

/** The index of the last element of `sorted` (ascending) that is <= x, or -1 when there is none. */
export function lastAtOrBelow(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
