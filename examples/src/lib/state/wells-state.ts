import type { ConnectionStatus, WellsChange, WellsSink } from "../services/realtime-wells-service";
import type { Well } from "../types/well";

/** What a view renders: the rows (newest first), the connection, and the change just applied. */
export interface WellsView {
  readonly wells: readonly Well[];
  readonly status: ConnectionStatus;
  readonly detail: string;
  /** The change that produced this view, for highlighting; null after a status or snapshot update. */
  readonly lastChange: WellsChange | null;
  /** How many snapshots were applied (the first load plus one per resubscribe). */
  readonly snapshots: number;
}

type Listener = (view: WellsView) => void;

/**
 * The app's wells, fed by `RealtimeWellsService`, framework-neutral.
 *
 * It keeps Svelte's store contract (`subscribe` calls the listener at once and returns the
 * unsubscribe function), so a Svelte component reads it as `$wellsState`; React can use it with
 * `useSyncExternalStore(wellsState.subscribe, () => wellsState.view)`; plain code just subscribes.
 *
 * The guide's version was a Svelte 5 class with a `$state` array whose constructor started the
 * realtime connection from `requestAnimationFrame` + `setTimeout(…, 100)`. Here nothing is timed:
 * the app connects it once, explicitly, when it starts (see `startWells` in `../wells.ts`).
 */
export class WellsState implements WellsSink {
  private readonly rows = new Map<number, Well>();
  private readonly listeners = new Set<Listener>();
  private current: WellsView = { wells: [], status: "CONNECTING", detail: "", lastChange: null, snapshots: 0 };

  /** The latest view. */
  get view(): WellsView {
    return this.current;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    listener(this.current);
    return () => {
      this.listeners.delete(listener);
    };
  };

  setStatus(status: ConnectionStatus, detail: string): void {
    this.publish({ ...this.current, status, detail, lastChange: null });
  }

  replaceAll(wells: Well[]): void {
    this.rows.clear();
    wells.forEach((well) => this.rows.set(well.id, well));
    this.publish({ ...this.current, wells: this.sorted(), lastChange: null, snapshots: this.current.snapshots + 1 });
  }

  applyChange(change: WellsChange): void {
    if (change.type === "DELETE") {
      this.rows.delete(change.id);
    } else {
      // An INSERT of a row the snapshot already had, or an UPDATE of one it lacked, is the same
      // upsert: applied in commit order, the list converges to the table.
      this.rows.set(change.well.id, change.well);
    }
    this.publish({ ...this.current, wells: this.sorted(), lastChange: change });
  }

  private sorted(): Well[] {
    return [...this.rows.values()].sort((a, b) => b.id - a.id);
  }

  private publish(view: WellsView): void {
    this.current = view;
    this.listeners.forEach((listener) => listener(view));
  }
}

/** The app's one state, as the guide's `PostgresWellsState` was. */
export const wellsState = new WellsState();
