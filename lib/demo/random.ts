/** A number in [0, 1), like Math.random, but from a seed: the same seed gives the same sequence. */
export type Random = () => number;

/** mulberry32: a tiny 32-bit generator, plenty for made-up demo activity (not for secrets). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
