import type { MetricValue, RegisteredVersion, RegistrySnapshot } from '../core/registryTypes.js';
import { humanBytes } from '../util/humanBytes.js';

/** Files and bytes changed between the data of two versions (from their manifests). */
export interface DataChange {
  readonly from: string;
  readonly to: string;
  readonly added: number;
  readonly removed: number;
  readonly modified: number;
  readonly bytesAdded: number;
  readonly bytesRemoved: number;
  /** total size after minus before (the records' data-size) */
  readonly netBytes: number;
}

/** One upstream node of a version's lineage. */
export interface LineageNode {
  readonly tag: string;
  readonly type: string;
  readonly depth: number;
  /** the record names it but this repository has no such version */
  readonly missing?: boolean;
}

export interface PromotionBodyInput {
  readonly entity: string;
  readonly stage: string;
  readonly version: RegisteredVersion;
  /** what the stage holds now (newest first); empty when nothing */
  readonly holders: readonly RegisteredVersion[];
  readonly lineage: readonly LineageNode[];
  /** against the newest holder; a string says why it is unknown */
  readonly change: DataChange | string | null;
  /** the trove remote holding the data, when the push succeeded */
  readonly dataRemote: string | null;
  /** the command that made it, for the footer */
  readonly command: string;
}

/**
 * Upstream lineage of `tag` (what it was made from, recursively), depth
 * first in the records' order; each version once (a diamond lists it once,
 * at its shallowest use).
 */
export function upstreamLineage(snapshot: RegistrySnapshot, tag: string, maxDepth = 32): LineageNode[] {
  const byTag = new Map<string, RegisteredVersion>();
  for (const e of snapshot.entities.values()) for (const v of e.versions) byTag.set(v.tag, v);
  const out: LineageNode[] = [];
  const seen = new Set<string>([tag]);
  const walk = (t: string, depth: number): void => {
    if (depth > maxDepth) return;
    // A node's direct inputs are claimed first, so a version used directly and also
    // through another input is listed where it is used directly.
    const fresh = (byTag.get(t)?.uses ?? []).filter((u) => !seen.has(u));
    for (const u of fresh) seen.add(u);
    for (const u of fresh) {
      const v = byTag.get(u);
      out.push({ tag: u, type: v?.type ?? 'unknown', depth, ...(v ? {} : { missing: true }) });
      walk(u, depth + 1);
    }
  };
  walk(tag, 1);
  return out;
}

/** The pull request's title. */
export function promotionTitle(entity: string, version: string, stage: string): string {
  return `Promote ${entity} ${version} to ${stage}`;
}

/**
 * The pull request's text (Markdown): metrics of the promoted version beside
 * what the stage holds now, lineage, files and bytes changed, and whether
 * the data is on the remote. Deterministic for given input (golden-tested).
 */
export function promotionBody(input: PromotionBodyInput): string {
  const { entity, stage, version: v } = input;
  const holder = input.holders[0];
  const lines: string[] = [];
  lines.push(`Promote **${entity} ${v.version}** to **${stage}**${holder ? ` (holds ${input.holders.map((h) => h.version).join(', ')} now)` : ' (empty now)'}.`, '');
  lines.push(`- tag: \`${v.tag}\` (commit ${v.commit.slice(0, 12)})`, `- registered: ${isoSeconds(v.time)} by ${v.author || 'unknown'}`, `- data: \`${v.path}\`, ${v.dataFiles} file(s), ${humanBytes(v.dataSize)}`, '');

  lines.push('### Metrics', '');
  const keys = [...new Set([...Object.keys(holder?.metrics ?? {}), ...Object.keys(v.metrics)])].sort();
  if (keys.length === 0) lines.push('No metrics recorded.', '');
  else {
    lines.push(holder ? `| metric | ${holder.version} (${stage} now) | ${v.version} (promoted) |` : `| metric | ${v.version} (promoted) |`);
    lines.push(holder ? '|---|---:|---:|' : '|---|---:|');
    for (const k of keys) lines.push(holder ? `| ${k} | ${cell(holder.metrics[k])} | ${cell(v.metrics[k])} |` : `| ${k} | ${cell(v.metrics[k])} |`);
    lines.push('');
  }

  lines.push('### Lineage', '');
  if (input.lineage.length === 0) lines.push(`${v.tag} records no upstream versions.`);
  else {
    lines.push(`- \`${v.tag}\``);
    for (const n of input.lineage) lines.push(`${'  '.repeat(n.depth)}- \`${n.tag}\` (${n.type})${n.missing ? ' — not registered in this repository' : ''}`);
  }
  lines.push('');

  lines.push('### Data changed', '');
  const c = input.change;
  if (c === null) lines.push(`No version holds ${stage} now: all ${v.dataFiles} file(s), ${humanBytes(v.dataSize)}, are new to it.`);
  else if (typeof c === 'string') lines.push(`Not compared with ${holder?.version ?? 'the holder'}: ${c}.`);
  else {
    lines.push(`Against ${c.from}: ${c.added} file(s) added (+${humanBytes(c.bytesAdded)}), ${c.removed} removed (-${humanBytes(c.bytesRemoved)}), ${c.modified} changed; net ${c.netBytes >= 0 ? '+' : '-'}${humanBytes(Math.abs(c.netBytes))}.`);
  }
  lines.push('');
  lines.push(`Data on remote: ${input.dataRemote ? `yes (${input.dataRemote})` : 'no'}`, '');
  lines.push('---', `Made by \`${input.command}\`. Merging this changes \`.trove/registry/stages/${entity}.yaml\`; after the merge, \`trove registry\` shows ${v.version} in ${stage}.`, '');
  return lines.join('\n');
}

function cell(m: MetricValue | undefined): string {
  return m === undefined ? '—' : String(m).replace(/\|/g, '\\|');
}

function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
