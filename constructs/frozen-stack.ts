import { Aspects, TerraformStack } from 'cdktf';

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
  stack.prepareStack();
  const json = stack.toTerraform() as StackJson;
  stack.node.lock();
  // Instance properties shadow the class methods app.synth() calls.
  stack.prepareStack = () => undefined;
  stack.toTerraform = () => json;
  return json;
}
