/**
 * Loaded before any construct exists (constructs/app.ts): cdktf records where each token was
 * created (`creationStack`, about 840 tokens of 26 frames per synth) and formats every frame
 * into text at once, a tenth of a synth, though the text is only read for a message when
 * resolving a token fails ("Object creation stack: ..."). This keeps the same capture (every
 * frame, as cdktf asks) and formats it only when read: the same message on such a failure, and
 * real errors (thrown Error objects) are untouched, with their own stacks and limits. A lower
 * `Error.stackTraceLimit` would not help: cdktf sets it to the maximum around its capture.
 */
interface StackTraceModule {
  captureStackTrace(below?: (...args: never[]) => unknown): string[];
}

// The module object itself (not an import's copy), so cdktf's own calls
// (`(0, stack_trace_1.captureStackTrace)()`) read the replacement.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- must be the module's own exports object
const stackTrace = require('cdktf/lib/tokens/private/stack-trace') as StackTraceModule;
if (typeof stackTrace.captureStackTrace !== 'function') {
  throw new Error('lazy-creation-stacks: cdktf has no tokens/private/stack-trace captureStackTrace (written for cdktf 0.21); review this module for this cdktf version');
}

/** cdktf's captureStackTrace, with the frames turned into text on first read. */
function captureStackTraceLazily(below?: (...args: never[]) => unknown): string[] {
  const holder: { stack?: string } = {};
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(holder, below ?? captureStackTraceLazily);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  return lazyFrames(holder);
}

/** An array of the holder's frames (cdktf's format: one "at"-less line each), built on first use. */
export function lazyFrames(holder: { stack?: string }): string[] {
  let frames: string[] | undefined;
  const real = (): string[] => (frames ??= holder.stack ? holder.stack.split('\n').slice(1).map((s) => s.replace(/^\s*at\s+/, '')) : []);
  return new Proxy<string[]>([], {
    get: (_target, prop) => Reflect.get(real(), prop) as unknown,
    has: (_target, prop) => Reflect.has(real(), prop),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, prop) => Reflect.getOwnPropertyDescriptor(real(), prop),
  });
}

stackTrace.captureStackTrace = captureStackTraceLazily;
