import { ConfigError } from "@/lib/env";

/** Runs the configuration check; on a problem prints one clear message and exits non-zero. */
export function exitOnConfigError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * Start-up checks that ask the servers (a replica that is no standby, a cluster node nobody
 * knows): the first mistake found is printed, naming its variable, and the process exits 78.
 */
export async function exitOnMistake(...checks: Array<() => Promise<string | null>>): Promise<void> {
  for (const check of checks) {
    const mistake = await check();
    if (mistake) {
      process.stderr.write(`Configuration error: ${mistake}\n`);
      process.exit(78); // EX_CONFIG
    }
  }
}
