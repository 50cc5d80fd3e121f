/**
 * Starts the emulator thread (emulator-thread.ts) and talks to it: a DynamoDbTransport whose
 * calls are messages to the thread, answered by dynalite's validation and actions there.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { repoPath } from '../../config/paths';
import {
  DynamoDbServiceError,
  type DynamoDbOperation,
  type DynamoDbTransport,
  type WireRequest,
  type WireResponse,
} from '../appsync-js/data-sources/dynamodb-transport';
import type { EmulatorThreadOptions, FromEmulatorThread, ThreadCall, ThreadError, ThreadReply, ToEmulatorThread } from './thread-protocol';
import { UserFacingError } from '../../config/errors';

export interface EmulatorThread {
  /** The port its DynamoDB HTTP API listens on. */
  readonly port: number;
  readonly transport: DynamoDbTransport;
  /**
   * Messages so far that carried calls to the thread, and replies back (each may carry several):
   * for tests, which check that calls sent together travel together.
   */
  readonly messages: { readonly calls: number; readonly replies: number };
  /**
   * Waits for the calls already sent to be answered (calls sent from now on fail), then closes
   * the server and the store and ends the thread.
   */
  close(): Promise<void>;
}

/**
 * The compiled thread script. A worker thread runs JavaScript only: from dist/ it is this
 * module's sibling; from the TypeScript sources (jest) it is the build's copy, which
 * `npm test` builds before it runs jest.
 */
function threadScript(): string {
  const script = __filename.endsWith('.ts') ? repoPath('dist/local/dynamodb/emulator-thread.js') : path.join(__dirname, 'emulator-thread.js');
  if (!existsSync(script)) throw new Error(`the DynamoDB emulator thread ${script} is missing: run \`npm run build\` first`);
  return script;
}

/**
 * The emulator thread's young generation: semi-spaces of 16 MB from the start, instead of V8's
 * 1 MB, which it keeps for a heap whose objects all die young (as the emulator's do: each query's
 * decoded items and answer text). With 1 MB the thread stopped for a scavenge every ~25 queries
 * (~60 a second at 1,500 req/s), and every query in flight waited for each; with 16 MB it is ~16
 * times fewer pauses of about the same length (a scavenge costs what survives, not what died).
 * Measured with `--trace-gc` under 5 s of `articles` load (7 pairs, loaded machine): 34–71 scavenges
 * on this thread -> 2–7, their summed pause a median 5× lower, the thread's CPU per request no higher.
 */
const EMULATOR_SEMI_SPACE_MB = 16;

/** Whether the user set V8's semi-space minimum for the process themselves (node flag or NODE_OPTIONS). */
function userSetSemiSpace(): boolean {
  const flag = /--min[-_]semi[-_]space[-_]size\b/;
  return process.execArgv.some((a) => flag.test(a)) || flag.test(process.env.NODE_OPTIONS ?? '');
}

/**
 * Starts the thread with its own young generation size. V8 takes `--min-semi-space-size` when an
 * isolate is created and the flag is process-wide: it is set for this thread and back to V8's
 * default (0: V8 chooses) once the thread runs, so isolates created later are not affected.
 * When the user set that flag themselves (`node --min-semi-space-size=…` or NODE_OPTIONS), the
 * thread is started without the tuning: resetting the flag to 0 would overwrite their setting.
 */
function startWorker(options: EmulatorThreadOptions): Worker {
  if (userSetSemiSpace()) return new Worker(threadScript(), { workerData: options });
  setFlagsFromString(`--min-semi-space-size=${EMULATOR_SEMI_SPACE_MB}`);
  const worker = new Worker(threadScript(), { workerData: options });
  const restore = () => setFlagsFromString('--min-semi-space-size=0');
  worker.once('online', restore);
  worker.once('exit', restore);
  return worker;
}

function fromThreadError(error: ThreadError): Error {
  if (error.service) return new DynamoDbServiceError(error.name, error.message, error.httpStatusCode, error.requestId);
  if (error.userFacing) return new UserFacingError(error.userFacing, error.message);
  const err = new Error(error.message);
  err.name = error.name;
  if (error.stack) err.stack = error.stack;
  return err;
}

/**
 * `onFailure` is called once if the thread stops on its own after it was ready (an error in
 * it, e.g. data that could not be saved); every DynamoDB call fails with the same error then.
 */
export function startEmulatorThread(options: EmulatorThreadOptions, onFailure: (err: Error) => void = () => undefined): Promise<EmulatorThread> {
  const worker = startWorker(options);
  const pending = new Map<number, { resolve: (answer: WireResponse) => void; reject: (err: Error) => void }>();
  const messages = { calls: 0, replies: 0 };
  let nextId = 0;
  /** Why the thread cannot answer any more (set when it exits or fails). */
  let stopped: Error | undefined;
  /** Set once close() starts: no new calls; it waits for `allAnswered` first. */
  let closing: Promise<void> | undefined;
  let allAnswered: (() => void) | undefined;
  let onClosed: ((error?: ThreadError) => void) | undefined;
  let ready = false;
  /**
   * Calls wait for the end of this turn of the event loop (`setImmediate`), then leave in one
   * message: under load the endpoint reads several requests per turn, and each runs its resolver's
   * DynamoDB call in it.
   */
  let queued: ThreadCall[] = [];

  const stop = (reason: Error) => {
    const first = !stopped;
    stopped ??= reason;
    queued = [];
    for (const call of pending.values()) call.reject(stopped);
    pending.clear();
    allAnswered?.();
    // Not when close() stopped it, nor before it was ready (start() rejects then).
    if (first && ready && !closing) onFailure(stopped);
  };

  const flush = () => {
    if (queued.length === 0 || stopped) return;
    const calls = queued;
    queued = [];
    messages.calls += 1;
    worker.postMessage({ type: 'calls', calls } satisfies ToEmulatorThread);
  };

  const transport: DynamoDbTransport = {
    send(operation: DynamoDbOperation, input: WireRequest): Promise<WireResponse> {
      if (stopped) return Promise.reject(stopped);
      if (closing) return Promise.reject(new Error('the DynamoDB emulator is closing'));
      // Serialized before the call is registered: an input that cannot be sent (a BigInt, a cycle)
      // fails this call alone and leaves nothing for close() to wait for.
      let inputJson: string;
      try {
        inputJson = inputAsJson(operation, input);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        if (queued.push({ id, operation, inputJson }) === 1) setImmediate(flush);
      });
    },
  };

  const answered = (reply: ThreadReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if ('error' in reply) waiting.reject(fromThreadError(reply.error));
    else waiting.resolve(JSON.parse(reply.answerJson) as WireResponse);
  };

  return new Promise((resolve, reject) => {
    worker.on('message', (message: FromEmulatorThread) => {
      switch (message.type) {
        case 'ready':
          ready = true;
          resolve({ port: message.port, transport, messages, close });
          break;
        case 'failed':
          stop(fromThreadError(message.error));
          void worker.terminate();
          reject(fromThreadError(message.error));
          break;
        case 'replies':
          messages.replies += 1;
          for (const reply of message.replies) answered(reply);
          if (pending.size === 0) allAnswered?.();
          break;
        case 'closed':
          onClosed?.(message.error);
          break;
      }
    });
    // An uncaught error in the thread ends it: every call waiting for an answer fails with it.
    worker.on('error', (err) => {
      stop(new Error(`the DynamoDB emulator thread failed: ${err.message}`));
      reject(err);
    });
    worker.on('exit', (code) => {
      stop(new Error(`the DynamoDB emulator thread has stopped (exit code ${code})`));
      onClosed?.();
      reject(new Error(`the DynamoDB emulator thread exited (code ${code}) before it was ready`));
    });
  });

  function close(): Promise<void> {
    closing ??= closeThread();
    return closing;
  }

  async function closeThread(): Promise<void> {
    if (stopped) return;
    // The calls already sent are answered first (or fail with the thread, if it stops meanwhile).
    flush();
    if (pending.size > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
    if (stopped) return;
    const closed = new Promise<ThreadError | undefined>((resolve) => (onClosed = resolve));
    worker.postMessage({ type: 'close' } satisfies ToEmulatorThread);
    const error = await closed;
    stop(new Error('the DynamoDB emulator is closed'));
    await worker.terminate();
    if (error) throw fromThreadError(error);
  }
}

/** A call's input as JSON text, or an error that names the operation and why it cannot be sent. */
function inputAsJson(operation: DynamoDbOperation, input: WireRequest): string {
  try {
    return JSON.stringify(input);
  } catch (err) {
    throw new Error(`a DynamoDB ${operation} request could not be sent to the emulator: its input is not JSON (${(err as Error).message})`);
  }
}
