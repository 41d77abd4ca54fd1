/** Watch mode: the folders whose changes restart the API and the worker. */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../lib/processes';

export const WATCHED_DIRS = ['src', 'workflows', 'activities'];
/** Editors save in bursts (a temp file, a rename, a chmod): one restart per burst. */
const SETTLE_MS = 300;

/**
 * Calls `onChange` with the changed files once a burst of changes under the watched folders has
 * settled. Editors' backup and swap files are ignored. Returns a function that stops watching.
 */
export function watchSources(onChange: (files: string[]) => void, root: string = REPO_ROOT): () => void {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = WATCHED_DIRS.map((dir) =>
    // Recursive watching is native on Linux since Node 20, as on macOS and Windows.
    watch(path.join(root, dir), { recursive: true }, (_event, file) => {
      if (!file || /(^|\/)(\.#|#)|~$|\.sw[px]$|\.tmp$/.test(String(file))) return;
      pending.add(path.join(dir, String(file)));
      clearTimeout(timer);
      timer = setTimeout(() => {
        const files = [...pending].sort();
        pending = new Set();
        onChange(files);
      }, SETTLE_MS);
    }),
  );
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
