/** Where a command writes, so tests read exactly what a user would see. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

/** The process's own streams and environment. */
export function processIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
  };
}

/** A failure the user caused or can fix: printed as one line, exit code 1 (or 2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** What each command file is registered with. */
export interface CommandHost {
  io: CliIO;
  /** Hands main the exit code of a command that keeps running (serve, up). */
  finish: (code: Promise<number>) => void;
}
