import { statfs as fsStatfs } from 'node:fs/promises';

/** What the recorder reads of a file system: free blocks for an unprivileged writer, and their size. */
export interface DiskStats {
  readonly bavail: number;
  readonly bsize: number;
}

/** `fs.promises.statfs` by default; tests inject a disk that fills up. */
export type Statfs = (dir: string) => Promise<DiskStats>;

export const defaultStatfs: Statfs = (dir) => fsStatfs(dir);

/** Free megabytes (MiB) on the file system holding `dir`. */
export async function freeMb(statfs: Statfs, dir: string): Promise<number> {
  const { bavail, bsize } = await statfs(dir);
  return Math.floor((bavail * bsize) / (1024 * 1024));
}
