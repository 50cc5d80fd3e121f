import type { AccessMatrix, MatrixCell } from './matrix';
import { cell } from './matrix-markdown';

/**
 * What changed in who-reaches-what between two matrices: the `--diff` output, written as
 * Markdown for a pull-request comment.
 */

export interface FieldChange {
  readonly persona: string;
  readonly field: string;
  readonly change: 'gained' | 'lost' | 'row rule';
  readonly before: string;
  readonly after: string;
}

export interface IdentityChange {
  readonly persona: string;
  readonly what: 'role' | 'storage read' | 'storage write';
  readonly before: string;
  readonly after: string;
}

export interface AccessDiff {
  readonly fields: readonly FieldChange[];
  readonly identityPool: readonly IdentityChange[];
}

const ABSENT = 'absent';

function describe(c: MatrixCell | undefined): string {
  if (!c) return ABSENT;
  return `${c.allowed ? '✓' : '✗'} ${c.reason}${c.rowRule ? ` (row rule: ${c.rowRule})` : ''}`;
}

function labelsOf(...ms: AccessMatrix[]): Map<string, string> {
  return new Map(ms.flatMap((m) => m.personas.map((p) => [p.id, p.label] as const)));
}

/** Compares every (persona, field) cell, every identity-pool persona and every IdP outcome of two matrices. */
export function diffMatrices(before: AccessMatrix, after: AccessMatrix): AccessDiff {
  const labels = labelsOf(before, after);
  const rowsOf = (m: AccessMatrix) => new Map(m.rows.map((r) => [`${r.type}.${r.field}`, r]));
  const b = rowsOf(before);
  const a = rowsOf(after);
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  const personaIds = [...labels.keys()];
  const fields: FieldChange[] = [];
  for (const persona of personaIds) {
    for (const key of keys) {
      const was = b.get(key)?.cells[persona];
      const now = a.get(key)?.cells[persona];
      const wasAllowed = !!was?.allowed;
      const nowAllowed = !!now?.allowed;
      const change = wasAllowed !== nowAllowed ? (nowAllowed ? 'gained' : 'lost') : wasAllowed && was?.rowRule !== now?.rowRule ? 'row rule' : null;
      if (change) fields.push({ persona: labels.get(persona)!, field: key, change, before: describe(was), after: describe(now) });
    }
  }
  // Each user-pool persona, and each outcome of each IdP row (absent from matrices older than them).
  type Entry = { label: string; role: string; storage: { read: readonly string[]; write: readonly string[] } };
  const ipOf = (m: AccessMatrix) =>
    new Map<string, Entry>([
      ...m.identityPool.personas.map((p): [string, Entry] => [p.persona, { label: labels.get(p.persona)!, role: p.role, storage: p.storage }]),
      ...(m.identityPool.providers ?? []).flatMap((r) =>
        r.outcomes.map((o): [string, Entry] => [`idp:${r.provider}:${o.when}`, { label: `IdP ${r.provider}: ${o.when}`, role: o.role, storage: o.storage }]),
      ),
    ]);
  const ib = ipOf(before);
  const ia = ipOf(after);
  const identityPool: IdentityChange[] = [];
  for (const key of new Set([...ib.keys(), ...ia.keys()])) {
    const was = ib.get(key);
    const now = ia.get(key);
    const push = (what: IdentityChange['what'], x: string | undefined, y: string | undefined) => {
      if (x !== y) identityPool.push({ persona: (was ?? now)!.label, what, before: x ?? ABSENT, after: y ?? ABSENT });
    };
    push('role', was?.role, now?.role);
    push('storage read', was?.storage.read.join(', '), now?.storage.read.join(', '));
    push('storage write', was?.storage.write.join(', '), now?.storage.write.join(', '));
  }
  return { fields, identityPool };
}

/** The diff as Markdown for a PR comment. */
export function renderDiffMarkdown(diff: AccessDiff, beforeName: string, afterName: string): string {
  const out = [`### Access changes: ${beforeName} → ${afterName}`, ''];
  if (!diff.fields.length && !diff.identityPool.length) return [...out, 'No access changes.', ''].join('\n');
  const sections: Array<[string, FieldChange['change']]> = [
    ['Gained', 'gained'],
    ['Lost', 'lost'],
    ['Row rule changed', 'row rule'],
  ];
  for (const [title, kind] of sections) {
    const rows = diff.fields.filter((f) => f.change === kind);
    if (!rows.length) continue;
    out.push(`**${title}** (${rows.length})`, '', '| persona | field | before | after |', '|---|---|---|---|');
    for (const r of rows) out.push(`| ${cell(r.persona)} | \`${r.field}\` | ${cell(r.before)} | ${cell(r.after)} |`);
    out.push('');
  }
  if (diff.identityPool.length) {
    out.push('**Identity pool**', '', '| persona | what | before | after |', '|---|---|---|---|');
    for (const r of diff.identityPool) out.push(`| ${cell(r.persona)} | ${r.what} | ${cell(r.before || '—')} | ${cell(r.after || '—')} |`);
    out.push('');
  }
  return out.join('\n');
}
