import type { TestProject } from "vitest/node";
import { setupFor } from "./global-setup";

export default function setup(project: TestProject) {
  return setupFor(project, "sentinel");
}
