import { Aspects, type IResolveContext, ref, TerraformStack } from 'cdktf';

/** The JSON cdktf writes for a stack (`cdk.tf.json`), as an object. */
export type StackJson = Record<string, unknown>;

/**
 * Prepares `stack` the way `app.synth()` does (a backend, cross-stack references), computes its
 * Terraform JSON once, and makes `app.synth()` write exactly that: synth-time checks read the JSON
 * that is written, and the stack is resolved once instead of three times (the checks' own
 * `toTerraform()`, then `prepareStack()` and `toTerraform()` inside `app.synth()`), the largest
 * share of a synth after bundling.
 *
 * Safe only when nothing changes the stack afterwards, so it is enforced: the stack is locked (a
 * construct added under it throws), and a stack with aspects (which `app.synth()` runs and may
 * change it) is refused.
 */
export function freezeStack(stack: TerraformStack): StackJson {
  const withAspects = stack.node.findAll().find((c) => Aspects.of(c).all.length > 0);
  if (withAspects) {
    throw new Error(`freezeStack: ${withAspects.node.path} has aspects, which app.synth() runs after the JSON is taken; synthesize it without freezeStack`);
  }
  stack.ensureBackendExists();
  const json = toTerraformWithinStack(stack) ?? prepareThenToTerraform(stack);
  stack.node.lock();
  // Instance properties shadow the class methods app.synth() calls.
  stack.prepareStack = () => undefined;
  stack.toTerraform = () => json;
  return json;
}

/** cdktf's full path: `prepareStack()`'s preparing resolve registers cross-stack references first. */
function prepareThenToTerraform(stack: TerraformStack): StackJson {
  stack.prepareStack();
  return stack.toTerraform() as StackJson;
}

/** A cdktf reference token (tfExpression's `Reference`): what a cross-stack reference starts from. */
interface ReferenceToken {
  readonly originStack?: TerraformStack;
  resolve(context: IResolveContext): unknown;
}

/** `Reference.prototype` (the class is not exported; `ref()` makes one). */
const referencePrototype = Object.getPrototypeOf(ref('freeze-stack-probe')) as ReferenceToken;
const resolveReference = referencePrototype.resolve;
if (typeof resolveReference !== 'function') {
  throw new Error('frozen-stack: cdktf reference tokens have no resolve() (written for cdktf 0.21); review freezeStack for this cdktf version');
}

/**
 * `stack.toTerraform()` without `prepareStack()`'s preparing resolve, or undefined when the stack
 * refers to another stack. That pass resolves every element only to register cross-stack
 * references (outputs in the other stack, a remote-state data source here: tfExpression.js,
 * `context.preparing`); it is a third of a synth. A stack whose references all stay inside it
 * resolves to the same JSON without it. Any reference from another stack seen here sends the
 * stack through cdktf's full path instead, so that case is written exactly as cdktf would.
 */
function toTerraformWithinStack(stack: TerraformStack): StackJson | undefined {
  let crossStack = false;
  referencePrototype.resolve = function resolveWatched(this: ReferenceToken, context: IResolveContext): unknown {
    if (this.originStack && this.originStack !== TerraformStack.of(context.scope)) crossStack = true;
    return resolveReference.call(this, context);
  };
  try {
    const json = stack.toTerraform() as StackJson;
    return crossStack ? undefined : json;
  } finally {
    referencePrototype.resolve = resolveReference;
  }
}
