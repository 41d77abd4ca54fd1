import path from 'node:path';

/** Groups of scenarios `--only` can pick; a run without it measures them all. */
export const SCENARIOS = ['levels', 'confirm', 'contention', 'premiere', 'seat_map', 'seat_events', 'expiry', 'open_holds'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const USAGE = `usage: npm run bench -- [--quick] [--cluster] [--diagnose] [--only ${SCENARIOS.join(',')}] [--out FILE.json] [--write-readme] [--seatmap-readme]`;

export interface BenchCli {
  quick: boolean;
  diagnose: boolean;
  out: string;
  /** Put the report between README.md's bench markers; off unless asked, so a run changes no tracked file. */
  writeReadme: boolean;
  /** Put the premiere's final seat map between README.md's seat-map markers; implied by --write-readme. */
  seatmapReadme: boolean;
  /** The scenarios to run: all unless --only names some (on a shared machine, one at a time is less noisy). */
  only: ReadonlySet<Scenario>;
  /** Against `npm run cluster`'s Temporal cluster instead of the dev server: the hold, its floors and the premiere only. */
  cluster: boolean;
  help: boolean;
}

function parseOnly(list: string): Set<Scenario> {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) throw new Error(`--only takes a comma-separated list of ${SCENARIOS.join(', ')} (got ${list})`);
  return new Set(names as Scenario[]);
}

export function parseBenchCli(argv: string[], repoRoot: string): BenchCli {
  const cli: BenchCli = {
    quick: false,
    diagnose: false,
    out: '',
    writeReadme: false,
    seatmapReadme: false,
    only: new Set(SCENARIOS),
    cluster: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') cli.quick = true;
    else if (a === '--diagnose') cli.diagnose = true;
    else if (a === '--out') cli.out = path.resolve(argv[++i] ?? '');
    else if (a.startsWith('--out=')) cli.out = path.resolve(a.slice('--out='.length));
    else if (a === '--only') cli.only = parseOnly(argv[++i] ?? '');
    else if (a.startsWith('--only=')) cli.only = parseOnly(a.slice('--only='.length));
    else if (a === '--write-readme') cli.writeReadme = true;
    else if (a === '--seatmap-readme') cli.seatmapReadme = true;
    else if (a === '--cluster') cli.cluster = true;
    else if (a === '--help' || a === '-h') cli.help = true;
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (cli.writeReadme) cli.seatmapReadme = true;
  cli.out ||= path.join(repoRoot, 'bench', 'results', cli.cluster ? 'cluster.json' : 'latest.json');
  if (cli.cluster && (cli.diagnose || cli.writeReadme)) throw new Error('--cluster runs the hold, its floors and the premiere only: no --diagnose or --write-readme');
  // A cluster run measures the hold, its floors and the premiere only.
  if (cli.cluster) cli.only = new Set([...cli.only].filter((s) => s === 'levels' || s === 'premiere'));
  if (!cli.out.endsWith('.json')) throw new Error('--out takes a .json file path');
  return cli;
}
