/**
 * Reading a synthesized stack (`cdktf.out/stacks/<env>/cdk.tf.json`, or `stack.toTerraform()`):
 * the one place that knows how cdktf writes Terraform JSON. The synth-time checks
 * (access/stack-checks.ts) and the local mode's stack reader (local/stack-reader.ts) both read
 * the stack through these functions, so a change in how cdktf writes a block is fixed once.
 *
 * It lives in `access/` because that is the layer both readers already share (local/ imports the
 * auth model from access/, never the other way), and it has no dependency of its own.
 */

/** One block of Terraform JSON: a resource's or data source's body, or a nested block. */
export type TerraformBlock = Record<string, unknown>;

/** The parts of a synthesized stack the readers look at. */
export interface TerraformJson {
  /** `resource.<type>.<name>`. */
  readonly resource?: Readonly<Record<string, Readonly<Record<string, TerraformBlock>>>>;
  /** `data.<type>.<name>`. */
  readonly data?: Readonly<Record<string, Readonly<Record<string, TerraformBlock>>>>;
  /** `provider.<name>`: one block, or a list when the stack has aliases. */
  readonly provider?: Readonly<Record<string, unknown>>;
  /** `output.<name>` with its `value`. */
  readonly output?: Readonly<Record<string, TerraformBlock>>;
  /** `locals.<name>`: an expression string (constructs/arn-parts.ts writes the stack's). */
  readonly locals?: Readonly<Record<string, unknown>>;
}

/** One resource with its address (`<type>.<name>`), for error messages. */
export interface TerraformResource {
  readonly type: string;
  readonly name: string;
  readonly body: TerraformBlock;
}

/** The resources of one type as `[name, body]`, in the order the stack lists them (empty when none). */
export function resourcesOfType(json: TerraformJson, type: string): [string, TerraformBlock][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** Every resource of the stack, with its type and name. */
export function allResources(json: TerraformJson): TerraformResource[] {
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({ type, name, body })),
  );
}

/** Where a field of a resource stands in the JSON (`resource.<type>.<name>.<field>`), for error messages. */
export function resourceKey(r: Pick<TerraformResource, 'type' | 'name'>, field: string): string {
  return `resource.${r.type}.${r.name}.${field}`;
}

/**
 * A repeatable nested block (or policy field) as a list: cdktf writes one element as the element
 * itself or as a one-element list depending on the binding, and leaves an unset block out.
 */
export function blockList<T = TerraformBlock>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** A single nested block (e.g. `user_pool_config`): written as an object or a one-element list. */
export function singleBlock(value: unknown): TerraformBlock | undefined {
  if (Array.isArray(value)) return value[0] as TerraformBlock | undefined;
  return value as TerraformBlock | undefined;
}

/** The parts of a whole-value reference `${<type>.<name>.<attribute>}`. */
export interface ResourceReference {
  readonly type: string;
  readonly name: string;
  readonly attribute: string;
}

const WHOLE_REFERENCE = /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$/;

/** The resource attribute a value refers to when the value is exactly one `${type.name.attr}`. */
export function resourceReference(value: unknown): ResourceReference | undefined {
  const m = typeof value === 'string' ? WHOLE_REFERENCE.exec(value) : null;
  return m ? { type: m[1], name: m[2], attribute: m[3] } : undefined;
}
