import { resetEnvForTests } from "@/lib/env";

/**
 * Changes process.env for a test file and remembers the first value of every key it
 * touched, so `restore()` (in afterAll) puts the environment back as it found it.
 * `undefined` removes a variable. lib/env's cached configuration is reset each time.
 */
export function envOverride() {
  const saved: Record<string, string | undefined> = {};
  const set = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (!(key in saved)) saved[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetEnvForTests();
  };
  return { set, restore: () => set(saved) };
}
