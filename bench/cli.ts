import path from 'node:path';

export const USAGE = 'usage: npm run bench -- [--quick] [--cluster] [--diagnose] [--out FILE.json] [--write-readme]';

export interface BenchCli {
  quick: boolean;
  diagnose: boolean;
  out: string;
  /** Put the report between README.md's bench markers; off unless asked, so a run changes no tracked file. */
  writeReadme: boolean;
  /** Against `npm run cluster`'s Temporal cluster instead of the dev server: the hold, its floors and the premiere only. */
  cluster: boolean;
  help: boolean;
}

export function parseBenchCli(argv: string[], repoRoot: string): BenchCli {
  const cli: BenchCli = { quick: false, diagnose: false, out: '', writeReadme: false, cluster: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') cli.quick = true;
    else if (a === '--diagnose') cli.diagnose = true;
    else if (a === '--out') cli.out = path.resolve(argv[++i] ?? '');
    else if (a.startsWith('--out=')) cli.out = path.resolve(a.slice('--out='.length));
    else if (a === '--write-readme') cli.writeReadme = true;
    else if (a === '--cluster') cli.cluster = true;
    else if (a === '--help' || a === '-h') cli.help = true;
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  cli.out ||= path.join(repoRoot, 'bench', 'results', cli.cluster ? 'cluster.json' : 'latest.json');
  if (cli.cluster && (cli.diagnose || cli.writeReadme)) throw new Error('--cluster runs the hold, its floors and the premiere only: no --diagnose or --write-readme');
  if (!cli.out.endsWith('.json')) throw new Error('--out takes a .json file path');
  return cli;
}
