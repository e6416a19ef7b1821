import type { WellsChange, WellsPath } from "../../examples/src/lib/services/realtime-wells-service";
import type { WellsView } from "../../examples/src/lib/state/wells-state";
import type { Well } from "../../examples/src/lib/types/well";

/** Columns in display order: the class of their cell and how a well shows in it. */
const COLUMNS: ReadonlyArray<{ key: string; render: (well: Well, cell: HTMLTableCellElement) => void }> = [
  {
    key: "name",
    render: (well, cell) => {
      cell.replaceChildren(span("well-name", well.name), span("well-id", `#${well.id}`));
    },
  },
  { key: "uwi", render: (well, cell) => text(cell, "uwi", well.uwi ?? "—") },
  {
    key: "status",
    render: (well, cell) => {
      const badge = span("status", well.status ?? "unknown");
      badge.dataset.status = well.status ?? "";
      cell.replaceChildren(badge);
    },
  },
  {
    key: "location",
    render: (well, cell) =>
      text(cell, "location", well.latitude == null || well.longitude == null
        ? "—"
        : `${well.latitude.toFixed(4)}, ${well.longitude.toFixed(4)}`),
  },
  {
    key: "depth",
    render: (well, cell) => {
      cell.classList.add("num");
      cell.textContent = well.total_depth_m == null
        ? "—"
        : well.total_depth_m.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    },
  },
  { key: "updated", render: (well, cell) => text(cell, "updated", clock(well.updated_at)) },
];

/** How the page names each path on a row and in the activity list. */
export const PATH_LABELS: Readonly<Record<WellsPath, string>> = {
  postgres_changes: "postgres_changes",
  broadcast: "broadcast",
};

/** A well's row, and the path its last change came by (none for a row only a snapshot showed). */
interface Row {
  tr: HTMLTableRowElement;
  well: Well;
  via?: WellsPath;
}

/**
 * Keeps the table's rows in step with the state, one `<tr>` per well, and shows what changed and
 * by which path.
 */
export class WellsTable {
  private readonly rows = new Map<number, Row>();

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
    private readonly waiting: HTMLElement,
    private readonly count: HTMLElement,
  ) {}

  render(view: WellsView): void {
    const seen = new Set<number>();
    let previous: HTMLTableRowElement | null = null;
    for (const well of view.wells) {
      seen.add(well.id);
      let row = this.rows.get(well.id);
      if (!row) {
        row = { tr: this.createRow(well), well };
        this.rows.set(well.id, row);
      } else if (row.well !== well) {
        this.updateRow(row.tr, well);
        row.well = well;
        showVia(row); // the name cell was rendered again
      }
      const expected: ChildNode | null = previous ? previous.nextSibling : this.body.firstChild;
      if (row.tr !== expected) {
        this.body.insertBefore(row.tr, expected);
      }
      previous = row.tr;
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        this.rows.delete(id);
        this.leave(row.tr, view.lastChange?.type === "DELETE" && view.lastChange.id === id);
      }
    }
    this.flash(view.lastChange);
    const loaded = view.snapshots > 0;
    this.count.textContent = loaded ? String(view.wells.length) : "…";
    this.waiting.hidden = loaded;
    this.empty.hidden = !loaded || view.wells.length > 0;
  }

  private createRow(well: Well): HTMLTableRowElement {
    const tr = document.createElement("tr");
    tr.dataset.id = String(well.id);
    for (const column of COLUMNS) {
      const cell = document.createElement("td");
      cell.className = `cell-${column.key}`;
      column.render(well, cell);
      tr.append(cell);
    }
    return tr;
  }

  /** Re-renders the cells and marks those whose text changed (the row's flash animates them). */
  private updateRow(tr: HTMLTableRowElement, after: Well): void {
    COLUMNS.forEach((column, index) => {
      const cell = tr.cells[index];
      if (!cell) {
        return;
      }
      const old = cell.textContent;
      column.render(after, cell);
      cell.classList.toggle("changed", cell.textContent !== old && column.key !== "updated");
    });
  }

  /** A deleted row fades out before it goes; one that only left the snapshot goes at once. */
  private leave(tr: HTMLTableRowElement, deleted: boolean): void {
    delete tr.dataset.id;
    if (!deleted) {
      tr.remove();
      return;
    }
    tr.classList.add("leaving");
    const remove = () => tr.remove();
    tr.addEventListener("animationend", remove, { once: true });
    setTimeout(remove, 1000); // also when animations are off (reduced motion, background tab)
  }

  private flash(change: WellsChange | null): void {
    if (!change || change.type === "DELETE") {
      return;
    }
    const row = this.rows.get(change.well.id);
    if (row) {
      row.via = change.via;
      showVia(row);
      row.tr.dataset.change = change.type;
      row.tr.classList.remove("flash-insert", "flash-update");
      restartAnimation(row.tr, change.type === "INSERT" ? "flash-insert" : "flash-update");
    }
  }
}

/** Marks the row with the path of its last change, under the well's name. */
function showVia(row: Row): void {
  const cell = row.tr.cells[0];
  if (!cell || !row.via) {
    return;
  }
  row.tr.dataset.via = row.via;
  let badge = cell.querySelector<HTMLElement>(".via");
  if (!badge) {
    badge = span("via", "");
    cell.append(badge);
  }
  badge.dataset.via = row.via;
  badge.textContent = PATH_LABELS[row.via];
  badge.title = `last change came by ${row.via === "broadcast" ? "Broadcast from Database" : "postgres_changes"}`;
}

/** Adds `className` again so its CSS animation plays from the start even if it was already set. */
function restartAnimation(element: HTMLElement, className: string): void {
  element.classList.remove(className);
  void element.offsetWidth; // forces a style flush; without it removing and re-adding is a no-op
  element.classList.add(className);
}

function span(className: string, content: string): HTMLSpanElement {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = content;
  return element;
}

function text(cell: HTMLTableCellElement, className: string, content: string): void {
  cell.classList.add(className);
  cell.textContent = content;
}

/** A timestamp as local time of day, or a date when it is not from today. */
export function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" })
    : date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}
