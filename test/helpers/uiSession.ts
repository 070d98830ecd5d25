import { after, before } from 'node:test';
import { launchBrowser, type UiBrowser } from './uiBrowser.js';
import { startUiServer, type RunningUi } from './uiServer.js';

/** A repository in a temp dir that the session serves and then removes. */
export interface ServedRepo {
  readonly dir: string;
  cleanup(): void;
}

/** Filled by the `before` hook uiSession registers; read them in tests only. */
export interface UiSession<T> {
  /** what build() returned */
  fixture: T;
  /** `trove ui` serving the fixture's repository */
  ui: RunningUi;
  browser: UiBrowser;
}

export interface UiSessionOptions<T> {
  /** More set-up on the built fixture before the server starts (if it throws, the fixture is still removed). */
  prepare?(fixture: T): Promise<void> | void;
  /** The repository to serve and remove, when the fixture is not one itself. */
  repoOf?(fixture: T): ServedRepo;
}

/**
 * The browser tests' set-up: registers a node:test `before` that builds the
 * fixture, starts the real `trove ui` in its repository and launches
 * Chromium, and an `after` that closes them in reverse (each only if it was
 * made). Call it in a describe(); `after` hooks registered before it run
 * before its own.
 */
export function uiSession<T extends ServedRepo>(build: () => Promise<T> | T, options?: UiSessionOptions<T>): UiSession<T>;
export function uiSession<T>(build: () => Promise<T> | T, options: UiSessionOptions<T> & { repoOf(fixture: T): ServedRepo }): UiSession<T>;
export function uiSession<T>(build: () => Promise<T> | T, options: UiSessionOptions<T> = {}): UiSession<T> {
  const repoOf = options.repoOf ?? ((f: T) => f as unknown as ServedRepo);
  const s: Partial<UiSession<T>> = {};
  before(async () => {
    s.fixture = await build();
    await options.prepare?.(s.fixture);
    s.ui = await startUiServer(repoOf(s.fixture).dir);
    s.browser = await launchBrowser();
  });
  after(async () => {
    await s.browser?.close();
    await s.ui?.stop();
    if (s.fixture !== undefined) repoOf(s.fixture).cleanup();
  });
  return s as UiSession<T>;
}
