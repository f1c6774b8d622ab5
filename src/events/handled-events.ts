/**
 * The deliveries the app acts on (SPEC §4), as `event` → handled actions: the single list. The
 * webhook receiver stores these and answers every other delivery "ignored" (it imports this file
 * alone from src/worker/, so it stays plain data); the worker registers one orchestrator for each
 * (src/worker/app.ts, whose type requires exactly these).
 */
export const HANDLED_EVENTS = {
  workflow_run: ['requested', 'in_progress', 'completed'],
  pull_request: ['opened', 'synchronize', 'reopened', 'edited'],
  pull_request_review: ['submitted', 'dismissed'],
  check_run: ['rerequested', 'requested_action'],
  check_suite: ['rerequested'],
  registry_package: ['published'],
  package: ['published'],
} as const satisfies Record<string, readonly string[]>;

export type HandledEvent = keyof typeof HANDLED_EVENTS;

export function isHandled(event: string, action: unknown): boolean {
  if (!Object.hasOwn(HANDLED_EVENTS, event)) return false;
  const actions: readonly string[] = HANDLED_EVENTS[event as HandledEvent];
  return typeof action === 'string' && actions.includes(action);
}
