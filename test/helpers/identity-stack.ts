import { Testing } from 'cdktf';
import { resolveConfig, stackConfig, type ProjectConfig } from '../../config';
import { project } from '../../config/project';
import { ContentStack } from '../../constructs/content-stack';
import { loadApiSource, type ApiSource } from '../../constructs/graphql-api';

/** A synthesized stack as parsed Terraform JSON. */
export interface SynthJson {
  readonly resource: Record<string, Record<string, Record<string, any>>>;
  readonly output: Record<string, { value: any; sensitive?: boolean }>;
  readonly provider: Record<string, any[]>;
  readonly terraform: Record<string, any>;
  readonly variable?: Record<string, any>;
  readonly data?: Record<string, unknown>;
}

/** A deep copy of the project's config, for a test to change one value. */
export function projectCopy(): ProjectConfig {
  return structuredClone<ProjectConfig>(project);
}

let apiSource: ApiSource | undefined;

/**
 * Synthesizes one environment's ContentStack from the project config (optionally changed
 * by `edit`) and returns the parsed JSON. Call it in beforeAll: a synth costs ~0.5 s.
 */
export function synthStack(options: { env?: string; offline?: boolean; edit?: (raw: ProjectConfig) => void } = {}): SynthJson {
  const raw = projectCopy();
  options.edit?.(raw);
  // Local demo IdP users are validated against the providers: drop those of providers an edit removed.
  const providers = new Set([...(raw.identityProviders?.google ? ['Google'] : []), ...(raw.identityProviders?.saml ?? []).map((s) => s.name)]);
  (raw as { local: ProjectConfig['local'] }).local = { ...raw.local, federatedUsers: (raw.local.federatedUsers ?? []).filter((u) => providers.has(u.idp)) };
  const config = stackConfig(resolveConfig(raw, 'test'), options.env ?? 'dev');
  const app = Testing.app();
  // `edit` changes the config only: the schema and resolver bundles are the same for every synth.
  apiSource ??= loadApiSource();
  const stack = new ContentStack(app, config.env.name, { config, offline: options.offline ?? false, apiSource });
  return JSON.parse(Testing.synth(stack)) as SynthJson;
}

/**
 * The dev stack and a variant of it (`edit` changes the project copy), synthesized once before
 * the file's tests and handed to `onSynthesized` (the file's own variables).
 */
export function synthDevAndVariant(edit: (raw: ProjectConfig) => void, onSynthesized: (dev: SynthJson, variant: SynthJson) => void): void {
  beforeAll(() => onSynthesized(synthStack({ env: 'dev' }), synthStack({ env: 'dev', edit })));
}

/** All resources of one type, by logical id (empty when there are none). */
export function resourcesOf(json: SynthJson, type: string): Record<string, any> {
  return json.resource[type] ?? {};
}

/** The single resource of a type; fails when there is not exactly one. */
export function onlyResource(json: SynthJson, type: string): any {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** The resource of a type whose attribute has a value (e.g. the role named `x`). */
export function resourceWhere(json: SynthJson, type: string, key: string, value: unknown): any {
  const found = Object.values(resourcesOf(json, type)).filter((r) => r[key] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key} = ${JSON.stringify(value)}, found ${found.length}`);
  return found[0];
}

/** `${aws_x.logical_id.attr}` for a resource object found in the JSON. */
export function refTo(json: SynthJson, type: string, resource: unknown, attr: string): string {
  const id = Object.entries(resourcesOf(json, type)).find(([, r]) => r === resource)?.[0];
  if (!id) throw new Error(`resource not found in ${type}`);
  return `\${${type}.${id}.${attr}}`;
}

/** The resource a `${type.id.attr}` reference points at. */
export function resolveRef(json: SynthJson, ref: string): any {
  const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(ref);
  const resource = m ? json.resource[m[1]]?.[m[2]] : undefined;
  if (!resource) throw new Error(`${ref} does not reference a resource of the stack`);
  return resource;
}
