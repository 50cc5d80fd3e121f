/** One figure of the bench: what was measured, its value, its goal. */
export interface Figure {
  readonly what: string;
  /** The figure as shown, with its spread where there is one. */
  readonly value: string;
  /** Empty when the figure is shown for context only. */
  readonly goal: string;
  readonly met?: boolean;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Seconds as the bench shows them. */
export const s = (x: number) => `${x.toFixed(2)} s`;
/** A median with its spread: `0.52 s (0.48–0.61)`. */
export const spread = (r: { median: number; min: number; max: number }) => `${s(r.median)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;

/** How the bench prints a figure: what, then its value beside its goal. */
export function figureText(f: Figure): string {
  const verdict = f.goal ? `   goal ${f.goal}: ${f.met ? 'met' : 'NOT MET'}` : '';
  return `  ${f.what}\n      ${f.value}${verdict}`;
}
