/**
 * The script evaluated inside XS: it installs `runCase`, which runs one shared case and reports
 * `{ok, error}` to the Node side through the worker's `issueCommand`.
 */
import { check } from '../harness/check';
import { suites } from '../cases/index';

declare function issueCommand(message: ArrayBuffer): void;

function report(result: { ok: boolean; error?: string }): void {
  issueCommand(new TextEncoder().encode(JSON.stringify(result)).buffer as ArrayBuffer);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

(globalThis as Record<string, unknown>).runCase = (suiteName: string, caseName: string): void => {
  const run = suites.find((s) => s.name === suiteName)?.cases[caseName];
  if (!run) {
    report({ ok: false, error: `no case ${suiteName} / ${caseName}` });
    return;
  }
  Promise.resolve()
    .then(() => run(check))
    .then(
      () => report({ ok: true }),
      (error: unknown) => report({ ok: false, error: describeError(error) }),
    );
};
