import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RunsRow } from '../../src/server/types/runsTypes.js';
import { formatValue } from '../format.js';
import { axisScale, niceTicks, valueOf, type AxisScale, type Dimension, type MetricSource } from './plotDimensions.js';
import { exposeChart } from './runValues.js';

const W = 1200;
const H = 290;
const TOP = 48;
const BOTTOM = 30;
const SIDE = 70;

/** A brushed interval of one axis, in 0..1 positions (bottom 0, top 1). */
export type Brushes = Record<string, { lo: number; hi: number }>;

/**
 * Parallel coordinates drawn as SVG: one vertical axis per dimension
 * (numbers on a linear scale, other values as evenly spaced categories), one
 * polyline per run, coloured by the last axis. Drag along an axis to keep
 * only the runs inside that interval (several axes combine); a click on an
 * axis clears its brush. A run missing a value has a gap in its line there.
 * Sets window.__troveCharts.parallel: per run, its id as label, the
 * dimensions as x and its values as y (null: missing).
 */
export function ParallelCoordinates({ runs, dims, source, onSelect }: { runs: readonly RunsRow[]; dims: readonly Dimension[]; source: MetricSource; onSelect?: (ids: string[]) => void }) {
  const [brushes, setBrushes] = useState<Brushes>({});
  const [drag, setDrag] = useState<{ key: string; from: number; to: number } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const values = useMemo(() => runs.map((r) => dims.map((d) => valueOf(r, d, source))), [runs, dims, source]);
  const scales = useMemo<AxisScale[]>(() => dims.map((_, j) => axisScale(values.map((v) => v[j]))), [dims, values]);
  const xOf = (j: number): number => (dims.length === 1 ? W / 2 : SIDE + (j * (W - 2 * SIDE)) / (dims.length - 1));
  const yOf = (p: number): number => TOP + (1 - p) * (H - TOP - BOTTOM);
  const pOf = (y: number): number => Math.min(1, Math.max(0, 1 - (y - TOP) / (H - TOP - BOTTOM)));
  const kept = runs.map((_, i) =>
    dims.every((d, j) => {
      const b = brushes[d.key];
      if (!b) return true;
      const p = scales[j]!.pos(values[i]![j]);
      return p !== undefined && p >= b.lo - 1e-9 && p <= b.hi + 1e-9;
    }),
  );
  const keptIds = runs.filter((_, i) => kept[i]).map((r) => r.id);
  useEffect(() => {
    exposeChart('parallel', runs.map((r, i) => ({ label: r.id, x: dims.map((d) => d.key), y: values[i]!.map((v) => (v === undefined ? null : v)) })));
    const w = window as unknown as { __troveCharts: Record<string, { selected?: string[] }> };
    w.__troveCharts['parallel']!.selected = keptIds;
    onSelect?.(keptIds);
  }, [runs, dims, values, keptIds.join(',')]);
  const colourScale = scales[scales.length - 1];
  const colour = (i: number): string => {
    const p = colourScale?.pos(values[i]![dims.length - 1]);
    if (p === undefined) return '#999';
    return `hsl(${Math.round(220 - 200 * p)}, 70%, 45%)`;
  };
  const eventY = (e: MouseEvent): number => {
    const r = svg.current!.getBoundingClientRect();
    return ((e.clientY - r.top) * H) / r.height;
  };
  const end = (): void => {
    if (!drag) return;
    // An edge dragged within 2% of an axis end takes the end (the top value stays in).
    const lo = Math.min(drag.from, drag.to) < 0.02 ? 0 : Math.min(drag.from, drag.to);
    const hi = Math.max(drag.from, drag.to) > 0.98 ? 1 : Math.max(drag.from, drag.to);
    const next = { ...brushes };
    if (hi - lo < 0.01) delete next[drag.key];
    else next[drag.key] = { lo, hi };
    setBrushes(next);
    setDrag(null);
  };
  if (dims.length === 0) return <p class="muted">Choose at least one param or metric.</p>;
  return (
    <div class="plots-parallel">
      <svg ref={svg} viewBox={`0 0 ${W} ${H}`} width="100%" data-testid="parallel-svg" onMouseMove={(e) => drag && setDrag({ ...drag, to: pOf(eventY(e)) })} onMouseUp={end} onMouseLeave={end}>
        {runs.map((r, i) => {
          let d = '';
          let pen = false;
          dims.forEach((_, j) => {
            const p = scales[j]!.pos(values[i]![j]);
            if (p === undefined) {
              pen = false;
              return;
            }
            d += `${pen ? 'L' : 'M'}${xOf(j).toFixed(1)},${yOf(p).toFixed(1)}`;
            pen = true;
          });
          return (
            <path d={d} class={kept[i] ? 'plots-line' : 'plots-line plots-line-out'} stroke={kept[i] ? colour(i) : '#ccc'} data-testid="parallel-line" data-id={r.id} data-kept={String(kept[i])}>
              <title>{`${r.id.slice(0, 8)}: ${dims.map((dm, j) => `${dm.label}=${values[i]![j] === undefined ? '–' : formatValue(values[i]![j])}`).join(', ')}`}</title>
            </path>
          );
        })}
        {dims.map((d, j) => {
          const s = scales[j]!;
          const x = xOf(j);
          const ticks = s.numeric ? niceTicks(s.min, s.max, 4).map((v) => ({ p: s.pos(v)!, text: formatValue(v) })) : s.categories.map((c) => ({ p: s.pos(c)!, text: c }));
          const b = drag && drag.key === d.key ? { lo: Math.min(drag.from, drag.to), hi: Math.max(drag.from, drag.to) } : brushes[d.key];
          return (
            <g class="plots-axis" data-testid="parallel-axis" data-key={d.key}>
              <line x1={x} x2={x} y1={yOf(0)} y2={yOf(1)} />
              <text x={x} y={TOP - 30} text-anchor="middle" class="plots-axis-label">{d.label}</text>
              <text x={x} y={TOP - 18} text-anchor="middle" class="plots-axis-kind">{d.kind === 'metric' ? source : 'param'}</text>
              {ticks.filter((t) => t.p >= -1e-9 && t.p <= 1 + 1e-9).map((t) => (
                <g>
                  <line x1={x - 4} x2={x} y1={yOf(t.p)} y2={yOf(t.p)} />
                  <text x={x - 6} y={yOf(t.p) + 4} text-anchor="end" class="plots-tick">{t.text}</text>
                </g>
              ))}
              {b && <rect class="plots-brush" x={x - 8} width={16} y={yOf(b.hi)} height={Math.max(1, yOf(b.lo) - yOf(b.hi))} />}
              <rect
                class="plots-axis-hit"
                data-testid="parallel-axis-hit"
                x={x - 12}
                width={24}
                y={TOP}
                height={H - TOP - BOTTOM}
                onMouseDown={(e) => {
                  e.preventDefault();
                  const p = pOf(eventY(e as unknown as MouseEvent));
                  setDrag({ key: d.key, from: p, to: p });
                }}
              />
            </g>
          );
        })}
      </svg>
      <p class="muted" data-testid="parallel-count">
        {keptIds.length} of {runs.length} runs{Object.keys(brushes).length ? ' inside the brushed ranges' : ''} · drag along an axis to filter, click it to clear
        {Object.keys(brushes).length > 0 && <> · <button onClick={() => setBrushes({})} data-testid="parallel-clear">clear all</button></>}
      </p>
    </div>
  );
}
