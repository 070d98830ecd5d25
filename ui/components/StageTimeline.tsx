import { useEffect } from 'preact/hooks';
import type { UiStageEvent } from '../../src/server/types/uiRegistryTypes.js';
import { exposeChart } from './exposeChart.js';

/** A span of time a stage held a version: from its assignment to its unassignment (null: still holds it). */
export interface HeldSpan {
  readonly stage: string;
  readonly version: string;
  readonly from: number;
  readonly to: number | null;
  /** row inside the lane when a stage holds several versions at once */
  readonly slot: number;
}

export interface TimelineMarker {
  readonly lane: string;
  readonly kind: UiStageEvent['kind'];
  readonly version: string | null;
  readonly time: number;
  readonly title: string;
}

const VERSIONS_LANE = 'versions';

/** Pair each assignment with the unassignment that ended it; give overlapping spans of a lane their own rows. */
export function heldSpans(events: readonly UiStageEvent[]): HeldSpan[] {
  const open = new Map<string, { from: number; slot: number }>();
  const used = new Map<string, Set<number>>();
  const out: HeldSpan[] = [];
  for (const e of events) {
    if (!e.stage || !e.version) continue;
    const key = `${e.stage}\0${e.version}`;
    const slots = used.get(e.stage) ?? used.set(e.stage, new Set()).get(e.stage)!;
    if (e.kind === 'assign' && !open.has(key)) {
      let slot = 0;
      while (slots.has(slot)) slot++;
      slots.add(slot);
      open.set(key, { from: e.time, slot });
    } else if (e.kind === 'unassign' && open.has(key)) {
      const o = open.get(key)!;
      out.push({ stage: e.stage, version: e.version, from: o.from, to: e.time, slot: o.slot });
      slots.delete(o.slot);
      open.delete(key);
    }
  }
  for (const [key, o] of open) {
    const [stage, version] = key.split('\0') as [string, string];
    out.push({ stage, version, from: o.from, to: null, slot: o.slot });
  }
  return out.sort((a, b) => a.from - b.from || a.slot - b.slot);
}

const utc = (t: number): string => new Date(t * 1000).toISOString().replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');

function describe(e: UiStageEvent): string {
  const who = e.committedBy && e.committedBy !== e.author ? `${e.author}, merged by ${e.committedBy}` : e.author;
  switch (e.kind) {
    case 'register':
      return `${e.version} registered, ${utc(e.time)}, by ${who}`;
    case 'deprecate':
      return `${e.version ?? 'the entity'} deprecated, ${utc(e.time)}, by ${who}`;
    case 'assign':
      return `${e.version} → ${e.stage}, ${utc(e.time)}, promoted by ${who}`;
    case 'unassign':
      return `${e.version} left ${e.stage}, ${utc(e.time)} (replaced), by ${who}`;
  }
}

/** Tick times every 1, 2, 6, 12 h or 1, 2, 7, 14, 30, 90 days: the first step that gives at most 7 ticks. */
function ticks(t0: number, t1: number): { at: number[]; hours: boolean } {
  const H = 3600;
  const steps = [H, 2 * H, 6 * H, 12 * H, 24 * H, 48 * H, 7 * 24 * H, 14 * 24 * H, 30 * 24 * H, 90 * 24 * H, 365 * 24 * H];
  const step = steps.find((s) => (t1 - t0) / s <= 7) ?? steps[steps.length - 1]!;
  const at: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) at.push(t);
  return { at, hours: step < 24 * H };
}

/**
 * The stage history of one entity as SVG: a time axis, one lane for the
 * versions (registrations, deprecations) and one per stage with a bar for
 * each span a version held it, a marker at each promotion and replacement;
 * every marker's tooltip says what, when and who.
 */
export function StageTimeline({ stages, events, selected }: { stages: readonly string[]; events: readonly UiStageEvent[]; selected?: string | null }) {
  const lanesFromEvents = events.filter((e) => e.stage && !stages.includes(e.stage)).map((e) => e.stage!);
  const lanes = [VERSIONS_LANE, ...stages, ...[...new Set(lanesFromEvents)].sort()];
  const spans = heldSpans(events);
  const markers: TimelineMarker[] = events.map((e) => ({ lane: e.stage ?? VERSIONS_LANE, kind: e.kind, version: e.version ?? null, time: e.time, title: describe(e) }));
  useEffect(() => {
    exposeChart('stage-timeline', { lanes, markers: markers.map(({ title: _t, ...m }) => m), spans });
  });
  if (events.length === 0) return <p class="empty" data-testid="stage-timeline-empty">Nothing registered or promoted yet.</p>;

  const times = events.map((e) => e.time);
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  const pad = Math.max((t1 - t0) * 0.08, 3600);
  t0 -= pad;
  t1 += pad;
  const W = 1000;
  const left = 110;
  const right = 20;
  const x = (t: number): number => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const slotH = 16;
  const laneH = (lane: string): number => Math.max(1, ...spans.filter((s) => s.stage === lane).map((s) => s.slot + 1)) * slotH + 14;
  const tops: number[] = [];
  let y = 8;
  for (const l of lanes) {
    tops.push(y);
    y += laneH(l);
  }
  const axisY = y + 4;
  const H = axisY + 28;
  const tk = ticks(t0, t1);
  const laneTop = (lane: string): number => tops[lanes.indexOf(lane)]!;
  const fmtTick = (t: number): string => {
    const iso = new Date(t * 1000).toISOString();
    return tk.hours ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
  };
  return (
    <svg class="reg-timeline" data-testid="stage-timeline" viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: `${W}px` }} role="img" aria-label="stage history">
      {lanes.map((l, i) => (
        <g data-testid={`timeline-lane-${l}`}>
          <rect x={0} y={tops[i]} width={W} height={laneH(l)} class={i % 2 ? 'reg-lane odd' : 'reg-lane'} />
          <text x={8} y={tops[i]! + laneH(l) / 2 + 4} class="reg-lane-label">{l}</text>
        </g>
      ))}
      {tk.at.map((t) => (
        <g>
          <line x1={x(t)} x2={x(t)} y1={4} y2={axisY} class="reg-grid" />
          <text x={x(t)} y={axisY + 16} text-anchor="middle" class="reg-tick">{fmtTick(t)}</text>
        </g>
      ))}
      <line x1={left} x2={W - right} y1={axisY} y2={axisY} class="reg-axis" />
      {spans.map((s) => {
        const top = laneTop(s.stage) + 7 + s.slot * slotH;
        const x1 = x(s.from);
        const x2 = s.to === null ? W - right : x(s.to);
        return (
          <g data-testid="timeline-span" data-stage={s.stage} data-version={s.version} class={s.version === selected ? 'reg-span selected' : 'reg-span'}>
            <title>{`${s.stage} held ${s.version} from ${utc(s.from)}${s.to === null ? ' until now' : ` to ${utc(s.to)}`}`}</title>
            <rect x={x1} y={top} width={Math.max(2, x2 - x1)} height={slotH - 4} rx={3} class={s.to === null ? 'open' : ''} />
            <text x={x1 + 5} y={top + slotH - 7} class="reg-span-label">{s.version}</text>
          </g>
        );
      })}
      {markers.map((m) => {
        const top = laneTop(m.lane);
        const cy = m.lane === VERSIONS_LANE ? top + laneH(m.lane) / 2 : top + 7 + (spans.find((s) => s.stage === m.lane && s.version === m.version)?.slot ?? 0) * slotH + (slotH - 4) / 2;
        const cx = x(m.time);
        return (
          <g data-testid="timeline-marker" data-kind={m.kind} data-lane={m.lane} data-version={m.version ?? ''} class={`reg-marker ${m.kind}`}>
            <title>{m.title}</title>
            {m.kind === 'register' && <path d={`M${cx} ${cy - 6}L${cx + 6} ${cy}L${cx} ${cy + 6}L${cx - 6} ${cy}Z`} />}
            {m.kind === 'deprecate' && <path d={`M${cx - 5} ${cy - 5}L${cx + 5} ${cy + 5}M${cx + 5} ${cy - 5}L${cx - 5} ${cy + 5}`} />}
            {m.kind === 'assign' && <circle cx={cx} cy={cy} r={5} />}
            {m.kind === 'unassign' && <circle cx={cx} cy={cy} r={5} class="hollow" />}
            {m.kind === 'register' && <text x={cx} y={cy - 9} text-anchor="middle" class="reg-marker-label">{m.version}</text>}
          </g>
        );
      })}
    </svg>
  );
}
