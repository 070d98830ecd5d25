import type { RegistryResult } from '../../api/registry.js';
import type { RegistryCheckResult } from '../../api/registryCheck.js';
import type { RegistryHistoryResult } from '../../api/registryHistory.js';
import { TroveError } from '../../errors/index.js';
import { defineCommand } from '../defineCommand.js';
import type { Output } from '../Output.js';
import { paint } from '../Output.js';

type Result = ({ action: 'list' } & RegistryResult) | ({ action: 'history' } & RegistryHistoryResult) | ({ action: 'check' } & RegistryCheckResult);

const usage = (why: string): TroveError => new TroveError('USAGE', why, { hint: 'Run trove registry --help for the actions and examples.' });

export const registryCommand = defineCommand<Result>({
  name: 'registry',
  summary: 'entities, latest versions and stages (now, --at a date, --rev); history; check that stages\' data is on the remote',
  examples: [
    'trove registry                           # every entity, its latest version, what each stage holds',
    'trove registry --at 2025-03-01           # as it was then: what was in production on that date',
    'trove registry --rev v1.4 --type model',
    'trove registry history modelmnist        # registrations, promotions, deprecations with time and author',
    'trove registry history --since 2025-01-01',
    'trove registry check -r storage          # exit 1 when a stage\'s data is not all on the remote (CI)',
    'trove registry check --all               # every version, not only those a stage holds',
  ],
  configure: (cmd) =>
    cmd
      .argument('[action]', '(none) | history [NAME] | check')
      .argument('[args...]', 'history: the entity')
      .option('--at <date>', 'as it was at this time (ISO 8601 date or time)')
      .option('--rev <rev>', 'as at this Git revision')
      .option('--type <type>', 'only entities of this type')
      .option('--since <date>', 'history: only events since this time')
      .option('-r, --remote <name>', 'check: the trove remote (default: core.remote)')
      .option('--all', 'check: every version that is not deprecated'),
  async run(ctx, args, opts) {
    const { openRepo } = await import('../../workspace/Repo.js');
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const action = (args[0] as string | undefined) ?? 'list';
    const rest = (args[1] as string[] | undefined) ?? [];
    const only = (allowed: string[]): void => {
      for (const k of ['at', 'rev', 'type', 'since', 'remote', 'all']) if (opts[k] !== undefined && !allowed.includes(k)) throw usage(`--${k} does not apply to trove registry${action === 'list' ? '' : ` ${action}`}.`);
    };
    switch (action) {
      case 'list': {
        only(['at', 'rev', 'type']);
        const { registry } = await import('../../api/registry.js');
        return { action, ...(await registry(repo, { ...(opts.at ? { at: String(opts.at) } : {}), ...(opts.rev ? { rev: String(opts.rev) } : {}), ...(opts.type ? { type: String(opts.type) } : {}) })) };
      }
      case 'history': {
        only(['since']);
        if (rest.length > 1) throw usage('trove registry history takes at most one NAME.');
        const { registryHistory } = await import('../../api/registryHistory.js');
        return { action, ...(await registryHistory(repo, { ...(rest[0] ? { name: rest[0] } : {}), ...(opts.since ? { since: String(opts.since) } : {}) })) };
      }
      case 'check': {
        only(['remote', 'all']);
        if (rest.length) throw usage('trove registry check takes no arguments.');
        const { registryCheck } = await import('../../api/registryCheck.js');
        return { action, ...(await registryCheck(repo, { ...(opts.remote ? { remote: String(opts.remote) } : {}), all: Boolean(opts.all) })) };
      }
      default:
        throw usage(`Unknown registry action "${action}".`);
    }
  },
  render(out, r) {
    if (r.action !== 'check') for (const w of r.warnings) out.warn(w);
    if (r.action === 'list') return renderList(out, r);
    if (r.action === 'history') return renderHistory(out, r);
    renderCheck(out, r);
  },
  exitCode: (r) => (r.action === 'check' && !r.ok ? 1 : 0),
});

function renderList(out: Output, r: RegistryResult): void {
  if (r.at) out.info(`As on ${r.at.branch} at ${r.at.time}${r.commit ? ` (commit ${r.commit.slice(0, 12)})` : ''}.`);
  if (r.entities.length === 0) return out.line(r.at ? 'No entities then.' : 'No entities yet (trove create TYPE NAME).');
  const header = ['name', 'type', 'latest', ...r.stages];
  const rows = r.entities.map((e) => [e.deprecated ? `${e.name} (deprecated)` : e.name, e.type, e.latest ?? '-', ...r.stages.map((s) => (e.stages[s] ?? []).join(',') || '-')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  out.line(paint(out, 'bold', fmt(header)));
  for (const row of rows) out.line(fmt(row));
}

function renderHistory(out: Output, r: RegistryHistoryResult): void {
  if (r.events.length === 0) return out.line('No registry events.');
  for (const e of r.events) {
    const what = e.kind === 'register' ? `registered ${e.entity} ${e.version}` : e.kind === 'deprecate' ? `deprecated ${e.entity}${e.version ? ` ${e.version}` : ''}` : `${e.kind === 'assign' ? 'assigned' : 'unassigned'} ${e.entity}${e.version ? ` ${e.version}` : ''} ${e.kind === 'assign' ? 'to' : 'from'} ${e.stage}`;
    const where = e.tag ? `tag ${e.tag}` : `commit ${e.commit?.slice(0, 12)}${e.committedBy && e.committedBy !== e.author ? `, merged by ${e.committedBy}` : ''}`;
    out.line(`${e.date.replace('T', ' ').replace('Z', '')}  ${what}  by ${e.author}  (${where})`);
  }
}

function renderCheck(out: Output, r: RegistryCheckResult): void {
  if (r.versions.length === 0) out.line('No stage holds a version: nothing to check.');
  for (const v of r.versions) {
    const why = v.heldBy.length ? v.heldBy.join(', ') : v.dependencyOf.length ? `made into ${v.dependencyOf.join(', ')}` : 'registered';
    out.line(`${v.complete ? paint(out, 'green', 'on remote') : paint(out, 'red', 'MISSING  ')}  ${v.tag}  (${why})${v.complete ? '' : `: ${v.missingObjects} object(s) not on ${r.remote}${v.examples.length ? `, e.g. ${v.examples.join(', ')}` : ''}`}`);
  }
  for (const u of r.unknown) out.line(`${paint(out, 'red', 'UNKNOWN  ')}  ${u}  (held or used, but no such version is registered)`);
  if (r.ok) out.line(`Every version the stages hold has its data on ${r.remote}.`);
  else out.info(`Push the missing data from a clone that has it: trove push -r ${r.remote} (in that clone, with the version checked out: trove checkout NAME@VERSION first).`);
}
