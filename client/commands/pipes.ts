/**
 * Ordinary shell use: `reyestr tasks list | head` closes the pipe while we still write. Like other Unix tools
 * we then stop quietly (exit 0, no stack trace); a running worker instead winds down as on SIGTERM, so its
 * tasks are released rather than left to expire.
 */
let onClosed: () => void = () => process.exit(0);

/** Installs the handler on stdout and stderr (once, at CLI start). */
export function handleClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // After EPIPE the stream is destroyed; later writes report ERR_STREAM_DESTROYED. Neither is a fault of ours.
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') onClosed();
      else throw error;
    });
  }
}

/** What to do instead of exiting when a pipe closes (a long-running command's own wind-down). */
export function whenPipeCloses(handler: () => void): void {
  let called = false;
  onClosed = () => {
    if (!called) handler();
    called = true;
  };
}
