// Turning results into text: the stdout tables, the generated part of
// docs/benchmarks.md, and the machine description.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BEGIN = '<!-- bench:begin -->';
export const END = '<!-- bench:end -->';
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

// ------------------------------------------------------------------ machine

export function machineInfo(benchDir) {
  let cpu = null;
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    cpu = m ? m[1].trim() : null;
  } catch {
    /* not linux */
  }
  cpu ??= os.cpus()[0]?.model ?? 'unknown';
  const df = spawnSync('df', ['--output=fstype', benchDir], { encoding: 'utf8' });
  const fsType = df.status === 0 ? df.stdout.trim().split('\n').pop().trim() : null;
  const statF = spawnSync('stat', ['-f', '-c', '%T', benchDir], { encoding: 'utf8' });
  const gitV = spawnSync('git', ['--version'], { encoding: 'utf8' });
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    ramBytes: os.totalmem(),
    fsType: fsType || (statF.status === 0 ? statF.stdout.trim() : 'unknown'),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    git: gitV.status === 0 ? gitV.stdout.trim().replace(/^git version /, '') : null,
  };
}

// ------------------------------------------------------------------ cells

export function fmtTime(s) {
  if (s == null) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 100) return `${s.toFixed(1)} s`;
  return `${Math.round(s)} s`;
}

export function fmtBytes(b) {
  if (b == null) return '—';
  const sign = b < 0 ? '-' : '';
  const a = Math.abs(b);
  if (a === 0) return '0 B';
  if (a < KiB) return `${sign}${a} B`;
  if (a < MiB) return `${sign}${Math.round(a / KiB)} KiB`;
  const m = a / MiB;
  if (m < 10) return `${sign}${m.toFixed(2)} MiB`;
  if (m < 100) return `${sign}${m.toFixed(1)} MiB`;
  return `${sign}${Math.round(m)} MiB`;
}

/** The text of one table cell. `max` caps failure messages (tables). */
export function cellText(toolResult, rowId, max = 70) {
  if (!toolResult || toolResult.status !== 'ran') return toolResult?.status ?? 'not run';
  const cell = toolResult.cells[rowId];
  if (!cell) return '—';
  if (cell.na) return 'n/a';
  if (cell.same) return `= above (${cell.same})`;
  if (cell.notMeasured) {
    const t = `not measured: ${cell.notMeasured}`;
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
  }
  if (cell.kind === 'bytes') return cell.skipped ? '—' : fmtBytes(cell.bytes);
  if (cell.kind === 'count') {
    if (cell.count == null) return '—';
    return cell.own != null ? `${cell.count} (own: ${cell.own})` : String(cell.count);
  }
  if (cell.wrong) return `wrong content (${fmtTime(cell.wallS)})`;
  if (!cell.ok) {
    const t = `failed: ${cell.error}`;
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
  }
  return cell.once ? `${fmtTime(cell.wallS)} (1 run)` : fmtTime(cell.wallS);
}

/** The tools with a column in workload wl's table (git only where it runs). */
export function columns(results, wl, toolNames) {
  const w = results.workloads[wl];
  return toolNames.filter((t) => w.tools[t] && w.tools[t].status !== 'not in this workload');
}

function rssText(toolResult) {
  if (!toolResult || toolResult.status !== 'ran') return toolResult?.status ?? 'not run';
  return toolResult.peakRssKiB == null ? '—' : fmtBytes(toolResult.peakRssKiB * KiB);
}

const stripRepeats = (label) => label.replace(/ \((median of N|once)[^)]*\)/, '');

function rowLabel(row, repeats) {
  return row.label.replace('median of N', `median of ${repeats}`);
}

/** [[header...], [row...], ...] for one workload. */
export function tableRows(results, wl, allNames) {
  const w = results.workloads[wl];
  const toolNames = columns(results, wl, allNames);
  const header = ['step', ...toolNames.map((t) => t + (w.tools[t]?.carriedFrom ? ' *' : ''))];
  const rows = w.rows.map((row) => [rowLabel(row, results.sizes.repeats), ...toolNames.map((t) => cellText(w.tools[t], row.id))]);
  rows.push(['peak RSS (max over steps)', ...toolNames.map((t) => rssText(w.tools[t]))]);
  return [header, ...rows];
}

// ------------------------------------------------------------------ stdout

export function textTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

// ------------------------------------------------------------------ markdown

const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function mdTable(rows, align = null) {
  const a = align ?? rows[0].map((_, i) => (i === 0 ? ':--' : '--:'));
  return [
    `| ${rows[0].map(esc).join(' | ')} |`,
    `|${a.map((x) => ` ${x} `).join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(results, toolNames) {
  const { sizes, machine, versions } = results;
  const out = [];
  const date = results.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  out.push(
    `_Generated by \`npm run bench\` (\`bench/run.mjs\`) on ${date}, total run time ${fmtTime(results.runSeconds)}. ` +
      'Everything between the `bench:begin` / `bench:end` markers is rewritten by each run; edit outside them._',
    '',
    '## Machine',
    '',
    mdTable(
      [
        ['', ''],
        ['CPU', `${machine.cpu} (${machine.cores} cores)`],
        ['RAM', `${(machine.ramBytes / GiB).toFixed(1)} GiB`],
        ['Filesystem of `bench/work`', machine.fsType],
        ['OS', machine.os],
        ['Load average (1/5/15 min) at start → end', `${machine.loadAvgAtStart.join(' / ')} → ${(results.loadAvgAtEnd ?? []).join(' / ')}`],
        ['Node', machine.node],
        ['git', machine.git ?? '—'],
        ['git-lfs', versions['git-lfs'] ?? 'not installed'],
        ['git-annex', versions['git-annex'] ?? 'not installed'],
        ['trove', versions.trove ? `${versions.trove} (\`${results.troveBin ?? 'dist/cli/trove.cjs'}\`)` : '—'],
      ],
      [':--', ':--'],
    ),
    '',
    '## Data and method',
    '',
    `- **W1**: one ${sizes.w1MiB} MiB file \`big.bin\`. Edits: ${fmtBytes(sizes.w1EditBytes)} overwritten in place at offset ${fmtBytes(sizes.w1EditOffset)}, then 10 MiB appended. Versions v1 → v2 → v3; "switch to v1" goes back two commits.`,
    `- **W2**: ${sizes.w2Files} files of 1–64 KiB (${fmtBytes(sizes.w2Bytes)} in total) in ${sizes.w2Dirs} directories of up to ${sizes.w2PerDir} (\`data/d000/f00000.bin\`, …). ${sizes.w2Modified} files spread over the tree are rewritten in place (same size, new bytes) for the modify step; add is always \`add data\` (the whole directory).`,
    '- Bytes are an AES-128-CTR keystream under fixed keys (deterministic, incompressible, never repeating); file sizes come from a seeded xorshift32. Override sizes with `BENCH_W1_MIB` and `BENCH_W2_FILES`.',
    '- Every tool works in its own fresh `git init` repository. Nothing is deleted until the last measurement: on this ext4 (mounted with online discard) freeing tens of thousands of files makes the next tool\'s file creates pay seconds of kernel time, so the tool that runs after a cleanup would pay for it. Before each workload\'s first timed step the harness syncs and waits for I/O pressure to settle.',
    results.dropCaches
      ? '- Each tool\'s phase of a workload starts from the same memory state: the harness syncs and drops the clean page cache (`echo 1 > /proc/sys/vm/drop_caches`) before the tool generates its data. On this VM new page-cache pages cost more the more cache is already held, so without it the tool that ran last paid for the gigabytes the others wrote (trove\'s W1 pull: 5.5 s after git-lfs and git-annex, 2.3 s alone). Within a phase the cache stays warm, as on a user\'s machine. `BENCH_DROP_CACHES=0` turns it off.'
      : '- The page cache was **not** dropped between tools (not root, or `BENCH_DROP_CACHES=0`): a tool that runs after others may pay for the cache they filled.',
    `- A time is the wall clock of the whole step (every command listed under "Commands"). \`sync\` runs before each timed step; the page cache is warm (the data was just written). Rows marked **median of ${sizes.repeats}** ran ${sizes.repeats} times with the state restored in between, so every run does the same work: the first **add + commit** runs in ${sizes.repeats} fresh repositories, each with freshly written data (the same bytes), and the workload goes on in the last one (an add whose first run takes over ${sizes.repeatMaxS ?? 30} s runs once, marked "(1 run)": a few hundred ms of noise is under 1 % of it, and ${sizes.repeats} runs of git-annex's W2 add alone would take ~5 minutes); **status** runs ${sizes.repeats} times on the same tree (for "after touching", every file gets a new mtime, untimed, before each run, so no run finds a valid stat cache); a **switch** runs as ${sizes.repeats} pairs — to the old version, then back to the latest — so each pair ends where it began, and the work tree is hashed after every switch. The edit steps (overwrite, append, modify) run **once**: a repeat would either add commits every tool must then push, or need each tool's own garbage collection to undo the last one.`,
    '- **Status, like for like.** Each row asks every tool the same question, "which tracked data files under the path changed since the last commit?", limited to the data path (`big.bin`, `data/`), with each tool\'s own stat cache as the previous step left it (warm for "nothing changed"; out of date for every file after touching). git-lfs, git-annex and plain git answer it with `git status --porcelain -- <path>`: git refreshes its index (an `lstat` of every tracked file under the path; a file whose stat differs from the index is read again — through git-lfs\'s clean filter, which hashes the whole file, for git-lfs; as the blob it is for plain git; git-annex\'s locked files are symlinks, so git reads the link, not the data), writes the refreshed index back, and lists modified, deleted and new (untracked) files under the path. trove answers with `trove status <path>`: an `lstat` of every file of the tracked artifacts under the path, a re-hash of those whose size or mtime differ from its stat cache (on worker threads), a comparison with the committed pointers (new, modified, deleted files), and a check that every committed object is in the local store. git-annex\'s own `git annex status` is not used: it lists the same files (later git-annex releases deprecate it for `git status`).',
    '- **Parallel transfers.** With no setting, trove sends and fetches with 4 parallel requests to a directory remote and 8 to S3 (`DEFAULT_JOBS` in `src/sync/remoteSession.ts`); git-lfs uses `lfs.concurrenttransfers`, default 8, which is used as it is (at least trove\'s number everywhere); git-annex transfers one file at a time. So under each push and pull row with the tools\' defaults there is a row "… git-annex at trove\'s N jobs": git-annex again with `copy -J N` / `get -J N`, against a second, empty bare origin and data remote, into a fresh clone. The trove and git-lfs cells there point at their row above ("= above"), which already ran with at least N. Adding stays as each tool does it by default (trove hashes on one worker thread per core; `git annex add` hashes one file at a time).',
    '- **The same history to send.** Every push sends the data of every commit of `main` (W1: v1, v2, v3; W2: v1, v2), as git-lfs\'s pre-push hook does for the commits it pushes: git-annex with `copy --all` (every version of every file; the bench\'s repositories have no other branch and no unused content), trove with `push --rev <commit>` for each earlier commit. Each pull brings only the checked-out (latest) version.',
    '- **trove\'s link modes** (W1): the switch rows are repeated with `trove checkout --link hardlink` and `--link symlink` (docs/config.md, "Link modes"). A file over 1 MiB is stored as chunks, with no whole object to link to, so for `big.bin` both modes assemble a regular copy, as `copy` does: these rows show that trove has no faster answer for one large file on a file system without reflinks (git-annex\'s switch is a symlink change).',
    '- **git** (W2 only): the same files committed to git itself (`git add data`, zlib-compressed loose objects in `.git/objects`), the row that shows what git does on its own with the same steps; it has no push and pull rows.',
    '- **Carried-over figures**: a tool not measured in a run (`BENCH_TOOLS`, `BENCH_WORKLOADS`, `BENCH_REMOTES`) keeps its figures from the previous results file only when the sizes, the method, the machine (CPU model, cores, memory, kernel, file system) and the tool\'s version all match; its column header then has a `*`, and a note under the table says from which run and version.',
    '- Store size is `du -sb` of the tool\'s store (`.git/lfs/objects`, `.git/annex/objects`, `.trove/cache`); "repo on disk" is `du -sb` of the whole repository directory (work tree, `.git`, store; hard links counted once).',
    '- Peak RSS is GNU time\'s `%M`: the largest resident set among the command and the processes it waited for (filters, helpers). The row shows the maximum over all steps.',
    '- After each checkout the work tree is hashed and compared with what was committed; a checkout that leaves other content is shown as "wrong content".',
  );
  if (Object.keys(results.workloads).some((k) => k.endsWith('-remote'))) {
    out.push(
      '- **Push and pull** run after a workload\'s other steps, in the same repository (latest commit checked out). The repository gets a bare `origin` (`git init --bare`, reached as `file://`). "Push" is everything needed to publish: the data, then the git history (`git push`; for git-annex `git annex sync --no-content`, which also carries its location log; for git-lfs the data goes inside `git push`). "Fresh git clone + pull" is `git clone` of `origin` into a new directory plus bringing the data into place; the clone is then hashed and compared with the latest commit ("wrong content" otherwise). Each step runs once.',
      `- **Directory remote**: a plain directory (for git-lfs, \`origin\` itself, reached through git-lfs's standalone \`file://\` transfer agent)${remoteSideText(results)}. Bytes are sums of file sizes (directories not counted): what the push added on the remote, and what the clone's store holds after the pull. Requests are the tool's own count (trove's \`--json\` result); the peers do not report one.`,
      '- **S3**: a fresh moto server (`moto_server`, Python, objects in memory or spooled to its temp dir) on 127.0.0.1 for each tool and workload, with its bucket made beforehand, path-style addressing, fixed fake credentials in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`. Clients reach it through a TCP relay in the harness that counts bytes each way (HTTP headers included). Requests are counted from moto\'s request log (one line per request) and stand for every tool; "own" is trove\'s own count. git-annex is given `annex.security.allowed-ip-addresses=127.0.0.1` through the environment (it refuses loopback addresses otherwise) and uses its defaults otherwise in the default rows (one transfer at a time, one PUT per file), `-J 8` in the rows at trove\'s jobs. moto is far slower than a real object store and its time is part of every S3 figure; its own memory is not in the RSS row.',
    );
  }
  out.push('', '## Commands', '');
  const cmdRows = [['step', ...toolNames]];
  const steps = Object.keys(results.commands[toolNames[0]] ?? {});
  for (const s of steps) cmdRows.push([s, ...toolNames.map((t) => results.commands[t]?.[s] ?? '—')]);
  out.push(mdTable(cmdRows, cmdRows[0].map(() => ':--')), '');
  for (const t of toolNames) out.push(`- **${t}**: ${results.modes[t]}.`);
  out.push('');

  const titles = {
    W1: `W1 — one ${sizes.w1MiB} MiB file`,
    W2: `W2 — ${sizes.w2Files} files of 1–64 KiB in ${sizes.w2Dirs} directories`,
    'W1-remote': 'W1 — push and pull',
    'W2-remote': 'W2 — push and pull',
  };
  const failures = [];
  for (const wl of Object.keys(results.workloads)) {
    const w = results.workloads[wl];
    out.push(`## ${titles[wl] ?? wl}`, '', mdTable(tableRows(results, wl, toolNames)), '');
    const notes = [];
    for (const t of columns(results, wl, toolNames)) {
      const tr = w.tools[t];
      if (tr?.carriedFrom) notes.push(`\\* ${t}: figures carried over from the run of ${tr.carriedFrom} UTC (${t} ${tr.carriedVersion ?? ''}, same sizes, method and machine; this run did not measure ${t}).`);
      if (tr?.status === 'ran') {
        for (const row of w.rows) {
          const c = tr.cells[row.id];
          if (c?.kind === 'time' && !c.ok && !c.na && !c.notMeasured && !c.same) failures.push(`- ${wl} / ${t} / ${stripRepeats(row.label)}: ${c.failedCommand ? `\`${c.failedCommand}\`: ` : ''}${c.error}`);
        }
      }
    }
    const peaks = toolNames
      .map((t) => [t, peakSource(w.tools[t], w.rows)])
      .filter(([, p]) => p)
      .map(([t, p]) => `${t} — ${p}`);
    if (peaks.length) notes.push(`Peak RSS comes from: ${peaks.join('; ')}.`);
    if (wl === 'W2') {
      notes.push(
        'git-annex: work-tree entries are symlinks, so touching a file changes the mtime of the object it points to and git sees no stat change.',
      );
    }
    if (wl === 'W1' && w.tools.trove?.status === 'ran') {
      notes.push('trove\'s hardlink and symlink rows: `big.bin` is stored as chunks (over 1 MiB), so both modes assemble a copy, as `copy` does.');
    }
    if (wl.endsWith('-remote')) notes.push(...remoteNotes(w, toolNames));
    if (notes.length) out.push(...notes.map((n) => (n.startsWith('\\*') ? n : `- ${n}`)), '');
  }
  if (failures.length) out.push('## Failures', '', ...failures, '');
  return out.join('\n').trimEnd();
}

/** Where the remote side (origin, directory remote, moto's spool) lived. */
function remoteSideText(results) {
  const rs = results.remoteSide;
  if (!rs) return '';
  return rs.separate
    ? `, on another file system than the repositories and clones (${rs.fsType}; \`origin\` and moto's spool dir live there too), so nothing can be hard-linked across; being in memory, it is faster than a network share would be`
    : `, on the same file system as the repositories (${rs.fsType}): git-lfs hard-links objects into it and out of it instead of copying`;
}

/** Notes under a push/pull table: what was not measured and why, what each push sends. */
function remoteNotes(w, toolNames) {
  const notes = [];
  const why = new Map();
  for (const t of toolNames) {
    const tr = w.tools[t];
    if (tr?.status !== 'ran') continue;
    for (const row of w.rows) {
      const c = tr.cells[row.id];
      const reason = c?.na ? `n/a: ${c.na}` : c?.notMeasured ? `not measured: ${c.notMeasured}` : null;
      if (!reason) continue;
      const where = row.id.startsWith('s3') ? 'S3' : 'directory remote';
      why.set(`${t}|${where}`, `${t}, ${where} — ${reason}`);
    }
  }
  notes.push(...why.values());
  notes.push(
    'Every push sends the data of every commit of main (git-lfs: its pre-push hook; git-annex: `copy --all`; trove: `push --rev` for each earlier commit); each pull brings the checked-out version only. The "… git-annex at trove\'s N jobs" rows run git-annex with `-J N` against a fresh remote; trove and git-lfs (8 concurrent transfers by default) point at their row above.',
  );
  return notes;
}

/** "git-lfs: switch to v1 (`git checkout`)" for the step with the largest RSS. */
function peakSource(tr, rows) {
  if (tr?.status !== 'ran' || tr.peakRssKiB == null) return null;
  const row = rows.find((r) => tr.cells[r.id]?.rssKiB === tr.peakRssKiB);
  if (!row) return null;
  const cmd = (tr.cells[row.id].commands ?? []).find((c) => c.rssKiB === tr.peakRssKiB);
  // drop options, and the path after -C (`git -C <clone> lfs pull`, `trove -C <clone> pull`)
  const argv = cmd ? cmd.argv.filter((a, i, all) => !a.startsWith('-') && !['-C', '-r'].includes(all[i - 1])).slice(0, 3).join(' ') : null;
  // a "… at trove's jobs" row names the step it repeats
  const base = tr.cells[row.id].jobsOf ? rows.find((r) => r.id === tr.cells[row.id].jobsOf) : null;
  const label = base ? `${stripRepeats(base.label).replace(/, tools' defaults$/, '')}, git-annex at trove's jobs` : stripRepeats(row.label);
  return `${label}${argv ? ` (\`${argv}\`)` : ''}`;
}

const BOUNDS_PLACEHOLDER = [
  '## What bounds each figure',
  '',
  '_To be written by the trove engineers: for each row, what limits trove\'s figure (hashing throughput,',
  'disk bandwidth, number of files stat()ed, process start-up, git itself, ...), how it compares with the',
  'peers and why, and what would move it. This section is outside the generated markers and is kept by',
  '`npm run bench`._',
  '',
].join('\n');

/** Replace the generated block of docs/benchmarks.md, keeping everything else. */
export function writeDoc(docPath, generated) {
  const block = `${BEGIN}\n${generated}\n${END}`;
  let text;
  if (fs.existsSync(docPath)) {
    const old = fs.readFileSync(docPath, 'utf8');
    const b = old.indexOf(BEGIN);
    const e = old.indexOf(END);
    if (b !== -1 && e > b) {
      text = old.slice(0, b) + block + old.slice(e + END.length);
    } else {
      const lines = old.split('\n');
      const at = lines[0]?.startsWith('# ') ? 1 : 0;
      text = [...lines.slice(0, at), '', block, '', ...lines.slice(at)].join('\n');
    }
    if (!/^## What bounds each figure/m.test(text)) text = `${text.trimEnd()}\n\n${BOUNDS_PLACEHOLDER}`;
  } else {
    text = `# Benchmarks: trove beside git-lfs and git-annex\n\n${block}\n\n${BOUNDS_PLACEHOLDER}`;
  }
  fs.mkdirSync(path.dirname(docPath), { recursive: true });
  fs.writeFileSync(docPath, text.endsWith('\n') ? text : `${text}\n`);
}
