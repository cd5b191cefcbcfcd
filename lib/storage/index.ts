import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { envFor } from "@/lib/env";

/**
 * Where uploaded files live. One interface, so an S3-compatible store can replace the
 * local disk without touching callers. Keys are "<orgId>/<random>.<ext>".
 */
export interface ObjectStorage {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
}

const KEY = /^[0-9a-f-]{36}\/[0-9A-Za-z]{24}\.(png|jpg|webp|gif)$/;

export function isStorageKey(key: string): boolean {
  return KEY.test(key);
}

/** Files under STORAGE_DIR (default .data/uploads), written atomically. */
export class DiskStorage implements ObjectStorage {
  constructor(private readonly root: string) {}

  private file(key: string) {
    if (!isStorageKey(key)) throw new Error("Invalid storage key");
    return path.join(this.root, key);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, bytes, { mode: 0o640 });
    await rename(temp, target);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }
}

let storage: ObjectStorage | undefined;

export function objectStorage(): ObjectStorage {
  storage ??= new DiskStorage(path.resolve(envFor(["STORAGE_DIR"]).STORAGE_DIR));
  return storage;
}
