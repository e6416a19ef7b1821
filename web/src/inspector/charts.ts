// Small hand-drawn SVG line charts for a tenant's live figures: one polyline over the last few
// minutes, the current value in large type, the range's top as a faint guide.

const SVG = "http://www.w3.org/2000/svg";
/** Points kept per chart: 90 readings at one every 2 s are 3 minutes. */
export const HISTORY = 90;

export interface ChartSpec {
  id: string;
  title: string;
  /** Formats a value for the label. */
  format: (value: number) => string;
}

/** One chart: its readings and the SVG that shows them. */
export class LineChart {
  private readonly values: (number | null)[] = [];
  private readonly line: SVGPolylineElement;
  private readonly area: SVGPolygonElement;
  private readonly current: HTMLElement;
  private readonly top: HTMLElement;
  private readonly note: HTMLElement;

  constructor(parent: HTMLElement, private readonly spec: ChartSpec) {
    const figure = document.createElement("figure");
    figure.className = "chart";
    figure.dataset.chart = spec.id;
    const caption = document.createElement("figcaption");
    const title = document.createElement("span");
    title.className = "chart-title";
    title.textContent = spec.title;
    this.current = document.createElement("span");
    this.current.className = "chart-value";
    this.current.textContent = "…";
    caption.append(title, this.current);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 100 40");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", spec.title);
    const guide = document.createElementNS(SVG, "line");
    guide.setAttribute("x1", "0");
    guide.setAttribute("x2", "100");
    guide.setAttribute("y1", "2");
    guide.setAttribute("y2", "2");
    guide.setAttribute("class", "chart-guide");
    this.area = document.createElementNS(SVG, "polygon");
    this.area.setAttribute("class", "chart-area");
    this.line = document.createElementNS(SVG, "polyline");
    this.line.setAttribute("class", "chart-line");
    svg.append(guide, this.area, this.line);
    const foot = document.createElement("div");
    foot.className = "chart-foot";
    this.top = document.createElement("span");
    this.note = document.createElement("span");
    this.note.className = "chart-note";
    foot.append(this.note, this.top);
    figure.append(caption, svg, foot);
    parent.append(figure);
  }

  /** Adds a reading; null when the figure is not known (drawn as a gap). */
  push(value: number | null, note = ""): void {
    this.values.push(value);
    if (this.values.length > HISTORY) {
      this.values.shift();
    }
    this.note.textContent = note;
    this.current.textContent = value === null ? "n/a" : this.spec.format(value);
    this.draw();
  }

  private draw(): void {
    const known = this.values.filter((v): v is number => v !== null);
    const max = Math.max(1e-9, ...known);
    const step = 100 / (HISTORY - 1);
    const start = HISTORY - this.values.length;
    const points: string[] = [];
    this.values.forEach((value, i) => {
      if (value !== null) {
        points.push(`${((start + i) * step).toFixed(2)},${(38 - (value / max) * 36).toFixed(2)}`);
      }
    });
    this.line.setAttribute("points", points.join(" "));
    const first = points[0]?.split(",")[0];
    const last = points[points.length - 1]?.split(",")[0];
    this.area.setAttribute("points", points.length ? `${first},40 ${points.join(" ")} ${last},40` : "");
    this.top.textContent = known.length ? `max ${this.spec.format(max)}` : "";
  }
}
