import { Option, type Command } from 'commander';
import type { CheckoutResult } from '../../api/checkout.js';
import type { CheckoutConflictResult, ConflictSide } from '../../api/checkoutConflict.js';
import type { Output } from '../Output.js';

/** `trove checkout --ours | --theirs | --merge`: options added to the checkout command. */
export function conflictOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--ours', 'during a merge conflict in PATH.trove: take our version of PATH (or of files inside it)').conflicts(['theirs', 'merge', 'rev']))
    .addOption(new Option('--theirs', 'during a merge conflict in PATH.trove: take their version of PATH (or of files inside it)').conflicts(['merge', 'rev']))
    .addOption(new Option('-m, --merge', 'during a merge conflict in PATH.trove: merge PATH file by file again (after trove fetch)').conflicts(['rev']));
}

export function conflictSide(opts: Record<string, unknown>): ConflictSide | undefined {
  return opts.ours ? 'ours' : opts.theirs ? 'theirs' : opts.merge ? 'merge' : undefined;
}

/** The checkout result came from --ours, --theirs or --merge (it extends the plain one, so TypeScript cannot tell them apart by type). */
export function isCheckoutConflict(r: CheckoutResult): r is CheckoutConflictResult {
  return 'side' in r;
}

export function renderCheckoutConflict(out: Output, r: CheckoutConflictResult): void {
  for (const x of r.resolved) {
    out.line(`${r.side === 'merge' ? 'merged' : `took ${r.side}`}  ${x.files.length ? x.files.join(', ') : x.path}  -> ${x.pointer}`);
  }
  for (const c of r.conflicts) out.info(`CONFLICT (trove): ${c.message}`);
  const pointers = [...new Set(r.resolved.map((x) => x.pointer))];
  if (r.conflicts.length > 0) out.info(`Conflicts remain: take a side for them with trove checkout --ours PATH or --theirs PATH, then git add ${pointers.join(' ')}.`);
  else if (pointers.length > 0) out.info(`When the data looks right, mark it resolved: git add ${pointers.join(' ')}`);
}
