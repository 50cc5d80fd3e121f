import { type Figure, s, spread } from './figure';

/** One size of the scale step (.tmp/bench-scale.json `sizes`). */
export interface ScaleSize {
  readonly fields: number;
  readonly synthSeconds: { median: number; min: number; max: number };
  readonly accessSeconds: { median: number; min: number; max: number };
  readonly readySeconds: number;
  readonly perFieldMicros?: number;
}

/**
 * The scale step's figures, each beside its goal (issue 14): `npm run access` ≤ 3 s at 5,000
 * fields; synth with 1,000 more gated fields ≤ 2× the project's own; the cost above the
 * project's own growing linearly or better from 1,000 to 5,000 fields. Printed by the scale step
 * itself and by the bench report.
 */
export function scaleFigures(sizes: readonly ScaleSize[], selectedFields: number): Figure[] {
  const size = (n: number) => {
    const x = sizes.find((z) => z.fields === n);
    if (!x) throw new Error(`bench: no scale result for ${n} fields`);
    return x;
  };
  const [base, k1, k5] = [size(0), size(1000), size(5000)];
  /** How the cost above the project's own grows from 1,000 to 5,000 fields: 5 = linear. */
  const growth = (pick: (z: ScaleSize) => number) => (pick(k5) - pick(base)) / (pick(k1) - pick(base));
  const synthGrowth = growth((z) => z.synthSeconds.median);
  const accessGrowth = growth((z) => z.accessSeconds.median);
  return [
    ...[base, k1, k5].map((z) => ({
      what: `scale, ${z.fields.toLocaleString('en')} generated gated fields: synth + checks / \`npm run access\` / ready${z.perFieldMicros !== undefined ? ` / auth per field (${selectedFields}-field query)` : ''}`,
      value: `${spread(z.synthSeconds)} / ${spread(z.accessSeconds)} / ${s(z.readySeconds)}${z.perFieldMicros !== undefined ? ` / ${z.perFieldMicros} µs` : ''}`,
      goal: z.fields === 5000 ? '`npm run access` ≤ 3 s' : z.fields === 1000 ? `synth ≤ 2× the project's own (${(z.synthSeconds.median / base.synthSeconds.median).toFixed(2)}×)` : '',
      met: z.fields === 5000 ? z.accessSeconds.median <= 3 : z.fields === 1000 ? z.synthSeconds.median <= 2 * base.synthSeconds.median : undefined,
    })),
    {
      what: "scale growth, cost above the project's own from 1,000 to 5,000 fields (5× = linear): synth / access",
      value: `${synthGrowth.toFixed(1)}× / ${accessGrowth.toFixed(1)}×`,
      goal: '≤ 5× (linear or better; noise allowed to 6×)',
      met: synthGrowth <= 6 && accessGrowth <= 6,
    },
  ];
}
