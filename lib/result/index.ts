/**
 * The outcome of anything that may be refused. Refusals carry a machine-readable reason and a
 * human-readable detail; nothing in the core throws for bad input.
 */
export type Result<T, Reason extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: Reason; readonly detail: string };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function refuse<Reason extends string>(
  reason: Reason,
  detail: string,
): { readonly ok: false; readonly reason: Reason; readonly detail: string } {
  return { ok: false, reason, detail };
}
