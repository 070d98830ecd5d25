/** A unified diff as text with + / - / @@ lines coloured, one block per file. */
export function CodeDiff({ files }: { files: readonly { path: string; change: string; patch: string; incomplete?: string }[] }) {
  if (files.length === 0) return <p class="muted" data-testid="code-diff-empty">Same code.</p>;
  return (
    <div class="compare-diff" data-testid="code-diff">
      {files.map((f) => (
        <div class="compare-diff-file" data-testid="code-diff-file" data-path={f.path}>
          <div class="compare-diff-head">{f.path} <span class="badge">{f.change}</span>{f.incomplete && <span class="muted"> ({f.incomplete})</span>}</div>
          <pre>
            {f.patch.replace(/\n$/, '').split('\n').map((line) => {
              const cls = line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') ? 'meta' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : 'ctx';
              return <div class={`diff-${cls}`}>{line || ' '}</div>;
            })}
          </pre>
        </div>
      ))}
    </div>
  );
}
