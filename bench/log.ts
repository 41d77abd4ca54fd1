const startedAt = Date.now();

/** A progress line on stdout, stamped with the seconds since the benchmark started. */
export function logLine(msg: string): void {
  console.log(`[bench +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${msg}`);
}
