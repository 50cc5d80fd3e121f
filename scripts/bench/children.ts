import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The bench's child processes (local mode, servers under load): started in their own process
 * group, so stopping one ends everything it started (`npm start` does not pass SIGTERM on to its
 * node child); all are stopped when the bench exits, however it exits.
 */

const children = new Set<ChildProcess>();
/** Signals a child's whole process group. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}
export function stopAll(): void {
  for (const c of children) if (c.exitCode === null) signalGroup(c, 'SIGTERM');
}
process.on('exit', stopAll);

/** Spawns a process and resolves when a stdout line matches `ready` (time in seconds). */
export function startUntil(cmd: string, args: string[], ready: RegExp, cwd: string): Promise<{ child: ChildProcess; seconds: number; line: string }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (ready.test(line)) resolve({ child, seconds: (performance.now() - t0) / 1000, line });
    });
    child.on('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited ${code} before ready: ${stderr.slice(-2000)}`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  signalGroup(child, 'SIGTERM');
  await exited;
  children.delete(child);
}
