import type { RunColumn } from '../runsColumns.js';

interface Props {
  readonly columns: readonly RunColumn[];
  readonly visible: readonly string[];
  onChange(keys: string[]): void;
  /** back to the defaults (the params that differ, best and last of every metric) */
  onReset(): void;
}

const GROUPS: [RunColumn['group'], string][] = [
  ['run', 'Run'],
  ['param', 'Params'],
  ['metric', 'Metrics'],
];

/** A drop-down of checkboxes, one per column, grouped; the order of columns stays the table's. */
export function ColumnChooser({ columns, visible, onChange, onReset }: Props) {
  const on = new Set(visible);
  const toggle = (key: string): void => {
    const next = new Set(on);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    onChange(columns.map((c) => c.key).filter((k) => next.has(k)));
  };
  return (
    <details class="runs-columns" data-testid="runs-columns">
      <summary>Columns ({visible.length})</summary>
      <div class="runs-columns-panel">
        <button type="button" onClick={onReset} data-testid="runs-columns-reset">Only differing params</button>
        {GROUPS.map(([g, title]) => {
          const cs = columns.filter((c) => c.group === g);
          if (cs.length === 0) return null;
          return (
            <fieldset key={g}>
              <legend>{title}</legend>
              {cs.map((c) => (
                <label key={c.key} title={c.title}>
                  <input type="checkbox" checked={on.has(c.key)} onChange={() => toggle(c.key)} data-testid={`runs-col-${c.key}`} /> {c.label}
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
    </details>
  );
}
