import { setHandler } from '@temporalio/workflow';
import * as api from '../../incident-api';
import type { IncidentRun } from '../incident-run';

// Who looked at the incident on the board, and which page: the trail answers "who knew, and when".
// A signal adds no command to histories that never received one, so running incidents replay unchanged.

const clip = (value: unknown, max: number) => String(value ?? '').slice(0, max);

export function registerBoardViews(run: IncidentRun): void {
  setHandler(api.viewedSignal, ({ viewer, page }) => {
    const who = clip(viewer, 200) || 'unknown';
    run.audit.record(who, 'board.viewed', { viewer: who, page: clip(page, 200) });
  });
}
