// Paths the script process writes for the user (captures), seen from inside
// the sandbox, whose /tmp is private (spawn.ts): a path under the host's
// /tmp goes through the directory the sandbox keeps open on fd 9.

const HOST_TMP = '/tmp';

/** The path to write for the host's `path`. */
export function hostPath(path: string): string {
  const fd = process.env.PKTDRILL_HOST_TMP_FD;
  if (!fd) return path;
  if (path === HOST_TMP) return `/proc/self/fd/${fd}`;
  if (path.startsWith(`${HOST_TMP}/`)) return `/proc/self/fd/${fd}/${path.slice(HOST_TMP.length + 1)}`;
  return path;
}

/** Whether this sandbox has a /tmp of its own. */
export function privateTmp(): boolean {
  return Boolean(process.env.PKTDRILL_HOST_TMP_FD);
}
