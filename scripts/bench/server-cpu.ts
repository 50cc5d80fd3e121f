import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { repoPath } from '../../config/paths';
import type { Readable, Writable } from 'node:stream';

/**
 * Server CPU per operation for the bench steps whose server runs in this process while an
 * unmodified client drives it from a child process (its CPU is not counted): `process.cpuUsage()`
 * (user + system) of this process around each batch, divided by the batch size.
 */

export interface CpuFigure {
  /** Milliseconds of server CPU per operation: median and range over the batches. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly batches: number;
  readonly perBatch: number;
}

/** A bench client: commands in on stdin, one line ('done') out on stdout per command. */
export type BenchClient = Pick<ChildProcess, 'once' | 'off'> & { readonly stdin: Writable; readonly stdout: Readable };

/** Sends `command` to the child's stdin and resolves on its next line of stdout ('done'). */
export function childCommand(child: BenchClient): (command: string) => Promise<void> {
  return (command) =>
    new Promise<void>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`bench client exited with ${code}`));
      child.once('exit', exited);
      child.stdout.once('data', () => {
        child.off('exit', exited);
        resolve();
      });
      child.stdin.write(`${command}\n`);
    });
}

/**
 * Runs `prepare(perBatch)` (not measured: e.g. the client's part before the step), then measures
 * `measured(perBatch)`, `batches` times.
 */
export async function serverCpu(o: { batches: number; perBatch: number; prepare?: (n: number) => Promise<void>; measured: (n: number) => Promise<void> }): Promise<CpuFigure> {
  const perOp: number[] = [];
  for (let b = 0; b < o.batches; b++) {
    await o.prepare?.(o.perBatch);
    const before = process.cpuUsage();
    await o.measured(o.perBatch);
    const used = process.cpuUsage(before);
    perOp.push((used.user + used.system) / 1000 / o.perBatch);
  }
  perOp.sort((x, y) => x - y);
  return { medianMs: perOp[Math.floor(perOp.length / 2)], minMs: perOp[0], maxMs: perOp[perOp.length - 1], batches: o.batches, perBatch: o.perBatch };
}

export function cpuLine(name: string, f: CpuFigure, goalMs?: number): string {
  const goal = goalMs === undefined ? '' : `; goal <= ${goalMs} ms`;
  return `  ${name}, server CPU: median ${f.medianMs.toFixed(1)} ms (range ${f.minMs.toFixed(1)}-${f.maxMs.toFixed(1)} ms; ${f.batches} batches of ${f.perBatch}${goal})`;
}

/** Writes a step's figures to `.tmp/<file>` for scripts/bench/report.ts. */
export function writeFigures(file: string, figures: Readonly<Record<string, CpuFigure>>): void {
  mkdirSync(repoPath('.tmp'), { recursive: true });
  writeFileSync(repoPath(`.tmp/${file}`), `${JSON.stringify(figures, null, 2)}\n`);
}
