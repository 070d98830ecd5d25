import type { ApiError } from '../api.js';
import type { Loaded } from '../useJson.js';

/** What a page shows while its data loads or when the server refused: one sentence and the hint. */
export function ErrorBox({ error }: { error: ApiError }) {
  return (
    <div class="error-box" role="alert" data-testid="error">
      <strong>{error.message}</strong>
      {error.hint && <div class="hint">{error.hint}</div>}
    </div>
  );
}

export function Pending<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => preact.ComponentChildren }) {
  if (loaded.state === 'loading') return <p class="loading" data-testid="loading">Loading…</p>;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} />;
  return <>{children(loaded.data)}</>;
}
