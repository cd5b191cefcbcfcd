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
