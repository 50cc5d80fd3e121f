import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffMatrices, renderDiffMarkdown, type AccessDiff } from '../access/diff';
import { matrixOf } from '../access/matrix-files';
import { cell } from '../access/matrix-markdown';
import { exportTree, loadInputsFromDir, resolveCommit } from '../access/ref-inputs';
import { movedFix } from '../addresses/address-list';
import { MOVED_FILE } from '../addresses/apply-moved';
import { complianceChanges, type ComplianceDiff, type ReviewSide } from './compliance-changes';
import { diffStacks, isEmpty, stableJson, type EnvironmentDiff } from './resource-diff';
import { compileAndSynth } from './synth-tree';
import { UserFacingError } from '../config/errors';

/**
 * `npm run review -- <ref>`: one Markdown report for a pull request, comparing the project at
 * a git ref with the working tree: resource changes per environment (from both synths),
 * destroy-and-recreate warnings with the `moved` entry that fixes each, the access diff, the
 * identity-pool changes and the compliance changes.
 */

export interface ReviewResult {
  readonly markdown: string;
  /** Nothing differs (resources, access, identity pool, compliance). */
  readonly clean: boolean;
  readonly environments: readonly EnvironmentDiff[];
  readonly access: AccessDiff;
}

export interface ReviewOptions {
  /** The repository (its working tree is the "after" side). */
  readonly root: string;
  /** The git ref to compare with (branch, tag, commit). */
  readonly ref: string;
  /** How the compliance sections are compared; `null` leaves compliance out. @default `complianceChanges` (review/compliance-changes.ts) */
  readonly complianceDiff?: ComplianceDiff | null;
}

const MAX_VALUE = 160;
const CONTEXT = 50;

const code = (text: string) => '`' + cell(text).replace(/`/g, "'") + '`';

/**
 * A changed attribute's before and after values for a table cell. Long values (policies,
 * schemas) are cut to the part that differs, with some context, so the change is visible.
 */
export function valuePair(before: unknown, after: unknown): [string, string] {
  const b = before === undefined ? undefined : stableJson(before);
  const a = after === undefined ? undefined : stableJson(after);
  if (b === undefined || a === undefined || (b.length <= MAX_VALUE && a.length <= MAX_VALUE)) {
    const show = (t: string | undefined) => (t === undefined ? '—' : code(t.length > MAX_VALUE ? `${t.slice(0, MAX_VALUE)}…` : t));
    return [show(b), show(a)];
  }
  let start = 0;
  while (start < b.length && start < a.length && b[start] === a[start]) start++;
  let end = 0;
  while (end < b.length - start && end < a.length - start && b[b.length - 1 - end] === a[a.length - 1 - end]) end++;
  const from = Math.max(0, start - CONTEXT);
  const window = (t: string) => {
    const to = Math.min(t.length, t.length - end + CONTEXT);
    const middle = t.slice(from, to);
    const cut = middle.length > MAX_VALUE + 2 * CONTEXT ? `${middle.slice(0, MAX_VALUE + 2 * CONTEXT)}…` : middle;
    return code(`${from > 0 ? '…' : ''}${cut}${to < t.length && cut === middle ? '…' : ''}`);
  };
  return [window(b), window(a)];
}

const IDENTITY_POOL_TYPE = /^aws_cognito_identity_pool/;

function renderEnvironment(d: EnvironmentDiff): string[] {
  const out = [`### Resources: ${d.env}`, ''];
  if (d.stack === 'added') out.push(`New stack: ${d.added.length} resources to create.`, '');
  if (d.stack === 'removed') out.push(`**Stack removed**: its ${d.removed.length} resources would be destroyed.`, '');
  if (isEmpty(d)) return [...out, 'No resource changes.', ''];
  const list = (title: string, items: string[]) => {
    if (!items.length) return;
    out.push(`**${title}** (${items.length})`, '', ...items.map((i) => `- ${i}`), '');
  };
  list('Added', d.stack === 'added' ? [] : d.added.map((a) => `\`${a}\``));
  list('Destroyed and recreated', d.renamed.map((l) => `\`${l.address}\` → \`${l.candidates[0]}\` (see the warning above)`));
  list('Removed (destroyed)', d.removed.map((l) => `\`${l.address}\`${l.protected ? ' — has `prevent_destroy`: the apply will fail' : ''}`));
  list('Moved (state kept, no destroy)', d.moved.map((m) => `\`${m.from}\` → \`${m.to}\``));
  list('Imported', d.imports.map((i) => `\`${i.to}\` ← existing \`${i.id}\``));
  if (d.changed.length) {
    out.push(`**Changed** (${d.changed.length})`, '');
    for (const c of d.changed) {
      out.push(`\`${c.address}\`${c.movedFrom ? ` (moved from \`${c.movedFrom}\`)` : ''}`, '', '| attribute | before | after |', '|---|---|---|');
      for (const a of c.attributes) out.push(`| \`${a.key}\` | ${valuePair(a.before, a.after).join(' | ')} |`);
      out.push('');
    }
  }
  return out;
}

function renderWarnings(envs: readonly EnvironmentDiff[]): string[] {
  const lost = envs.flatMap((d) => d.renamed);
  if (!lost.length) return [];
  const out = [`### ⚠ Destroy and recreate (${lost.length})`, ''];
  for (const l of lost) {
    const to = l.candidates[0];
    const fix = movedFix(l, to);
    out.push(
      `- **${l.env}**: \`${l.address}\` disappears while \`${to}\` appears. Terraform would **destroy** the existing ` +
        `${l.address.split('.')[0]} and create a new, empty one` +
        (l.protected ? ' (it has `prevent_destroy`, so the apply fails — but only after planning, and other changes may already be applied)' : '') +
        `. If it was renamed, add to \`${MOVED_FILE}\`:`,
      '',
      '  ```ts',
      `  ${fix.entry}`,
      '  ```',
      '',
      '  which synthesizes the Terraform block:',
      '',
      '  ```hcl',
      ...fix.hcl.split('\n').map((line) => `  ${line}`),
      '  ```',
      '',
    );
    if (l.candidates.length > 1) out.push(`  Other new ${l.address.split('.')[0]} addresses: ${l.candidates.slice(1).map((c) => `\`${c}\``).join(', ')}`, '');
  }
  return out;
}

function renderIdentityPool(access: AccessDiff, envs: readonly EnvironmentDiff[]): { lines: string[]; changed: boolean } {
  const resources = envs.flatMap((d) => [
    ...d.changed.filter((c) => IDENTITY_POOL_TYPE.test(c.address)).map((c) => `${d.env}: \`${c.address}\` changed (${c.attributes.map((a) => `\`${a.key}\``).join(', ')})`),
    ...d.added.filter((a) => IDENTITY_POOL_TYPE.test(a)).map((a) => `${d.env}: \`${a}\` added`),
    ...[...d.removed, ...d.renamed].filter((l) => IDENTITY_POOL_TYPE.test(l.address)).map((l) => `${d.env}: \`${l.address}\` destroyed`),
  ]);
  const out = ['### Identity pool', ''];
  if (!access.identityPool.length && !resources.length) return { lines: [...out, 'No identity-pool changes.', ''], changed: false };
  if (access.identityPool.length) {
    out.push('Role mapping and storage per persona:', '', '| persona | what | before | after |', '|---|---|---|---|');
    for (const r of access.identityPool) out.push(`| ${cell(r.persona)} | ${r.what} | ${cell(r.before || '—')} | ${cell(r.after || '—')} |`);
    out.push('');
  }
  if (resources.length) out.push('Identity-pool resources:', '', ...resources.map((r) => `- ${r}`), '');
  return { lines: out, changed: true };
}

function renderCompliance(hook: ComplianceDiff | null, before: ReviewSide, after: ReviewSide): { lines: string[]; changed: boolean } {
  const out = ['### Compliance', ''];
  if (!hook) return { lines: [...out, 'Not compared (left out by the caller).', ''], changed: false };
  const text = hook(before, after).trim();
  return { lines: [...out, text || 'No compliance changes.', ''], changed: !!text };
}

/** Builds the report; throws (naming the ref) only when the ref cannot be read or either side cannot be synthesized. */
export function reviewReport(options: ReviewOptions): ReviewResult {
  const { root, ref } = options;
  const commit = resolveCommit(ref, root, 'review');
  const work = mkdtempSync(join(tmpdir(), 'review-'));
  const refDir = exportTree(commit, root, 'review-ref-');
  try {
    const nodeModules = join(root, 'node_modules');
    const before: ReviewSide = { name: `\`${ref}\` (${commit.slice(0, 7)})`, dir: refDir, stacks: wrap(`${ref}`, () => compileAndSynth(refDir, join(work, 'before'), nodeModules)) };
    const after: ReviewSide = { name: 'working tree', dir: root, stacks: wrap('the working tree', () => compileAndSynth(root, join(work, 'after'), nodeModules)) };
    const envs = diffStacks(before.stacks, after.stacks);
    const was = loadInputsFromDir(refDir, root);
    const now = loadInputsFromDir(root, root);
    const access = diffMatrices(matrixOf(was.config, was.sdl), matrixOf(now.config, now.sdl));

    const identity = renderIdentityPool(access, envs);
    const compliance = renderCompliance(options.complianceDiff === undefined ? complianceChanges(root) : options.complianceDiff, before, after);
    const resourcesClean = envs.every(isEmpty);
    const clean = resourcesClean && !access.fields.length && !identity.changed && !compliance.changed;
    const title = `## Infrastructure review: ${before.name} → ${after.name}`;
    if (clean) {
      const markdown = [title, '', `No changes: resources (${envs.map((d) => d.env).join(', ')}), access and identity pool are as at ${before.name}.`, '', ...compliance.lines].join('\n');
      return { markdown, clean, environments: envs, access };
    }
    const counts = envs.map((d) =>
      isEmpty(d)
        ? `${d.env}: no changes`
        : `${d.env}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length + d.renamed.length} destroyed, ${d.moved.length} moved, ${d.imports.length} imported`,
    );
    const renamed = envs.reduce((n, d) => n + d.renamed.length, 0);
    const markdown = [
      title,
      '',
      counts.join(' · ') + (renamed ? ` · **⚠ ${renamed} destroy-and-recreate**` : ''),
      '',
      ...renderWarnings(envs),
      ...envs.flatMap(renderEnvironment),
      renderDiffMarkdown({ fields: access.fields, identityPool: [] }, before.name, after.name).replace(/^### Access changes/, '### Access'),
      ...identity.lines,
      ...compliance.lines,
    ].join('\n');
    return { markdown, clean, environments: envs, access };
  } finally {
    rmSync(refDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

function wrap<T>(side: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const message = `review: cannot synthesize ${side}: ${(e as Error).message}`;
    if (e instanceof UserFacingError) throw new UserFacingError({ location: side, problem: `cannot synthesize: ${e.message}` }, message);
    throw new Error(message, { cause: e });
  }
}
