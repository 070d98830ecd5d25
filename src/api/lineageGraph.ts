import { TroveError } from '../errors/index.js';
import { parseTag } from '../core/registryNames.js';
import type { RegisteredVersion } from '../core/registryTypes.js';
import { resolveRef } from '../core/resolveRef.js';
import { parseRunNote } from '../core/versionRunNote.js';
import { listRunInputs } from '../experiments/listRunInputs.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface LineageGraphOptions {
  /**
   * keep only what this node comes from and what came from it: a version
   * reference (NAME@vX.Y.Z, NAME, NAME#STAGE, an ml-git tag) or `run:ID`
   * (an experiment id or unique prefix); default: the whole graph
   */
  readonly focus?: string;
}

/** dataset / labels / model: a version of an entity of that type; other: of a type the team declared; data: a path a run read that is no registered version; stage: what a stage of an entity holds now */
export type LineageGraphNodeKind = 'dataset' | 'labels' | 'model' | 'other' | 'run' | 'data' | 'stage';

export interface LineageGraphNode {
  /** v:NAME@vX.Y.Z, run:ID, data:PATH@OID, stage:NAME#STAGE */
  readonly id: string;
  readonly kind: LineageGraphNodeKind;
  readonly label: string;
  /** versions and stages: the entity */
  readonly entity?: string;
  /** versions: vX.Y.Z */
  readonly version?: string;
  /** versions: the entity's type (null when the version is not registered here) */
  readonly type?: string | null;
  /** stages: the stage */
  readonly stage?: string;
  /** runs: the experiment id */
  readonly run?: string;
  /** data and versions: the tracked path */
  readonly path?: string;
  /** versions: unix seconds of the tag; runs: when they started (unix seconds) */
  readonly time?: number;
  readonly deprecated?: boolean;
  /** a version named in a `uses` but not registered here, or a run a version names that is not in this clone */
  readonly missing?: boolean;
  /** the node asked for with `focus` */
  readonly focus?: boolean;
}

/** uses: a version was made from another (its record); input: a run read that version's data (or that path); produced: exp promote made the version from the run; stage: the stage holds the version now */
export type LineageGraphEdgeKind = 'uses' | 'input' | 'produced' | 'stage';

export interface LineageGraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: LineageGraphEdgeKind;
}

export interface LineageGraphResult {
  /** the focus node's id, null for the whole graph */
  readonly focus: string | null;
  /** sorted by id */
  readonly nodes: readonly LineageGraphNode[];
  /** data flows from → to; sorted */
  readonly edges: readonly LineageGraphEdge[];
  readonly warnings: readonly string[];
}

const KINDS = new Set(['dataset', 'labels', 'model']);

/**
 * The lineage of the whole registry as one graph: datasets and labels →
 * the runs that read them → the model versions `trove exp promote` made
 * from those runs → the stages that hold them now. Version-to-version edges
 * come from the records' `uses`; a run's inputs are the tracked paths it
 * recorded at start (matched to versions by path and content id, so data a
 * run read that is no version still shows, as a path); a version's run is
 * the note exp promote writes in its tag message. A `uses` edge that a run
 * already explains (the version's run read that data) is left out. Only
 * runs joined to the registry (by an input or an output) are nodes.
 *
 * With `focus`, only the focus node's ancestors and descendants remain:
 * "follow the production model back to its dataset" is
 * `lineageGraph(repo, { focus: 'modelmnist#production' })`.
 *
 * Two git processes for the registry (for-each-ref, and none per tag) and
 * two for the runs (for-each-ref, one cat-file --batch).
 *
 * @example
 *   const { nodes, edges } = await lineageGraph(repo, { focus: 'modelmnist@v2.0.0' });
 *   edges.filter((e) => e.kind === 'produced'); // [{ from: 'run:3f2a…', to: 'v:modelmnist@v2.0.0', kind: 'produced' }]
 */
export async function lineageGraph(repo: Repo, options: LineageGraphOptions = {}): Promise<LineageGraphResult> {
  checkOptions('lineageGraph', repo, options, { focus: 'string?' });
  const [snapshot, inputs] = await Promise.all([loadRegistry(repo), listRunInputs(repo)]);
  const warnings = [...snapshot.warnings, ...inputs.problems.map((p) => `The run ${p.id} cannot be read (${p.message.replace(/\.$/, '')}); it is left out.`)];
  const messages = new Map(snapshot.tags.map((t) => [t.tag, t.message]));
  const nodes = new Map<string, LineageGraphNode>();
  const edges = new Map<string, LineageGraphEdge>();
  const addEdge = (from: string, to: string, kind: LineageGraphEdgeKind): void => void edges.set(`${from}\0${to}`, { from, to, kind });

  const byTag = new Map<string, RegisteredVersion>();
  const byData = new Map<string, string[]>();
  for (const e of snapshot.entities.values()) {
    for (const v of e.versions) {
      byTag.set(v.tag, v);
      const key = `${v.path}\0${v.dataKind}\0${v.dataOid}`;
      (byData.get(key) ?? byData.set(key, []).get(key)!).push(v.tag);
    }
  }
  const versionNode = (tag: string): string => {
    const id = `v:${tag}`;
    if (nodes.has(id)) return id;
    const v = byTag.get(tag);
    if (v) {
      nodes.set(id, { id, kind: KINDS.has(v.type) ? (v.type as LineageGraphNodeKind) : 'other', label: tag, entity: v.entity, version: v.version, type: v.type, path: v.path, time: v.time, deprecated: v.deprecated });
    } else {
      const p = parseTag(tag);
      const [entity, version] = p?.kind === 'register' ? [p.name, p.version] : [tag, ''];
      nodes.set(id, { id, kind: 'other', label: tag, entity, version, type: null, missing: true });
    }
    return id;
  };

  // Runs: what each read, matched to versions.
  const runInputs = new Map<string, Set<string>>();
  const runData = new Map<string, { id: string; path: string; oid: string }[]>();
  const runStarted = new Map<string, number>();
  for (const r of inputs.runs) {
    const tags = new Set<string>();
    const raw: { id: string; path: string; oid: string }[] = [];
    for (const d of r.data) {
      const matched = byData.get(`${d.path}\0${d.kind}\0${d.oid}`);
      if (matched) for (const t of matched) tags.add(t);
      else raw.push({ id: `data:${d.path}@${d.oid}`, path: d.path, oid: d.oid });
    }
    runInputs.set(r.id, tags);
    runData.set(r.id, raw);
    runStarted.set(r.id, Math.floor(Date.parse(r.created) / 1000));
  }
  const linkedRuns = new Set<string>();
  const runNode = (id: string): string => {
    const nid = `run:${id}`;
    if (!nodes.has(nid)) {
      const started = runStarted.get(id);
      nodes.set(nid, { id: nid, kind: 'run', label: `run ${id.slice(0, 8)}`, run: id, ...(started !== undefined && Number.isFinite(started) ? { time: started } : { missing: true }) });
    }
    linkedRuns.add(id);
    return nid;
  };
  // What each run made (exp promote's note); a run's input of the entity it
  // made (the previous model in the work tree) is not drawn, as exp promote
  // leaves it out of the version's uses.
  const made = new Map<string, Set<string>>();
  for (const t of snapshot.tags) {
    const note = byTag.has(t.tag) ? parseRunNote(t.message) : null;
    if (note) (made.get(note.experiment) ?? made.set(note.experiment, new Set()).get(note.experiment)!).add(byTag.get(t.tag)!.entity);
  }
  for (const [id, all] of runInputs) {
    const own = made.get(id);
    const tags = own ? new Set([...all].filter((t) => !own.has(byTag.get(t)!.entity))) : all;
    runInputs.set(id, tags);
    if (tags.size === 0) continue;
    const r = runNode(id);
    for (const t of tags) addEdge(versionNode(t), r, 'input');
  }

  // Versions: made from (uses), made by (a run), held by (stages).
  for (const e of snapshot.entities.values()) {
    for (const v of e.versions) {
      const to = versionNode(v.tag);
      const note = parseRunNote(messages.get(v.tag) ?? '');
      const explained = new Set<string>();
      if (note) {
        addEdge(runNode(note.experiment), to, 'produced');
        for (const t of runInputs.get(note.experiment) ?? []) explained.add(t);
      }
      for (const u of v.uses) if (!explained.has(u)) addEdge(versionNode(u), to, 'uses');
    }
    for (const [stage, held] of Object.entries(e.stages)) {
      if (held.length === 0) continue;
      const sid = `stage:${e.record.name}#${stage}`;
      nodes.set(sid, { id: sid, kind: 'stage', label: `${e.record.name}#${stage}`, entity: e.record.name, stage });
      for (const a of held) addEdge(versionNode(`${e.record.name}@${a.version}`), sid, 'stage');
    }
  }
  // Paths a joined run read that are no version.
  for (const id of linkedRuns) {
    for (const d of runData.get(id) ?? []) {
      if (!nodes.has(d.id)) nodes.set(d.id, { id: d.id, kind: 'data', label: d.path, path: d.path });
      addEdge(d.id, `run:${id}`, 'input');
    }
  }

  let keep: Set<string> | null = null;
  let focus: string | null = null;
  if (options.focus !== undefined) {
    focus = focusNode(options.focus, snapshot, nodes);
    keep = reachable(focus, [...edges.values()]);
  }
  const outNodes = [...nodes.values()].filter((n) => !keep || keep.has(n.id)).map((n) => (n.id === focus ? { ...n, focus: true } : n));
  const outEdges = [...edges.values()].filter((e) => !keep || (keep.has(e.from) && keep.has(e.to)));
  outNodes.sort((a, b) => cmp(a.id, b.id));
  outEdges.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  return { focus, nodes: outNodes, edges: outEdges, warnings };
}

/** The node id a focus names: a version reference, or run:ID (unique prefix). NOT_FOUND / USAGE as resolveRef. */
function focusNode(focus: string, snapshot: Parameters<typeof resolveRef>[0], nodes: ReadonlyMap<string, LineageGraphNode>): string {
  if (focus.startsWith('run:')) {
    const prefix = focus.slice(4).toLowerCase();
    const ids = [...nodes.values()].filter((n) => n.kind === 'run' && n.run!.startsWith(prefix)).map((n) => n.id);
    if (ids.length === 1 && prefix.length >= 4) return ids[0]!;
    throw new TroveError(ids.length > 1 ? 'USAGE' : 'NOT_FOUND', ids.length > 1 ? `The run prefix "${prefix}" names ${ids.length} runs of the lineage graph.` : `No run of the lineage graph starts with "${prefix}".`, {
      hint: 'Give more of the id (trove exp ls); only runs that read or made a registered version are in the graph.',
      data: { focus, ...(ids.length > 1 ? { reason: 'ambiguous', matches: ids } : {}) },
    });
  }
  return `v:${resolveRef(snapshot, focus).version.tag}`;
}

/** Every node reachable from `start` following edges forwards, and every one following them backwards. */
function reachable(start: string, edges: readonly LineageGraphEdge[]): Set<string> {
  const down = new Map<string, string[]>();
  const up = new Map<string, string[]>();
  for (const e of edges) {
    (down.get(e.from) ?? down.set(e.from, []).get(e.from)!).push(e.to);
    (up.get(e.to) ?? up.set(e.to, []).get(e.to)!).push(e.from);
  }
  const keep = new Set<string>([start]);
  for (const next of [down, up]) {
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length) {
      for (const n of next.get(stack.pop()!) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        keep.add(n);
        stack.push(n);
      }
    }
  }
  return keep;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
