// Virtual scrolling over more rows than a browser can lay out. Browsers cap
// an element's height (WebKit near 2^25 px), so past MAX_HEIGHT the scroll
// range is compressed: scrollTop maps linearly onto the row range, and the
// few rendered rows are placed around the current scrollTop.

export const MAX_HEIGHT = 8_000_000;

export interface Viewport {
  /** Rows in the list. */
  total: number;
  rowHeight: number;
  /** Height of the visible area in px. */
  height: number;
  scrollTop: number;
  /** Extra rows rendered above and below. */
  overscan?: number;
}

export interface Layout {
  /** Height of the scrollable content. */
  contentHeight: number;
  /** First and last (exclusive) row to render. */
  start: number;
  end: number;
  /** Offset in px of row `start` inside the content. */
  offset: number;
}

export function contentHeight(total: number, rowHeight: number): number {
  return Math.min(total * rowHeight, MAX_HEIGHT);
}

/** Pixel position in the real (uncompressed) list at the top of the viewport. */
export function virtualTop(v: Viewport): number {
  const real = v.total * v.rowHeight;
  const content = contentHeight(v.total, v.rowHeight);
  if (real <= content || content <= v.height) return v.scrollTop;
  return (v.scrollTop * (real - v.height)) / (content - v.height);
}

export function layout(v: Viewport): Layout {
  const overscan = v.overscan ?? 8;
  const content = contentHeight(v.total, v.rowHeight);
  const top = virtualTop(v);
  const first = Math.floor(top / v.rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(v.total, Math.ceil((top + v.height) / v.rowHeight) + overscan);
  // Row `first` sits where it would in the real list, shifted to scrollTop.
  const offset = v.scrollTop - (top - start * v.rowHeight);
  return { contentHeight: content, start, end, offset };
}

/** The scrollTop that shows row `index` at the top of the viewport. */
export function scrollTopFor(index: number, v: Omit<Viewport, "scrollTop">): number {
  const real = v.total * v.rowHeight;
  const content = contentHeight(v.total, v.rowHeight);
  const target = index * v.rowHeight;
  if (real <= content || content <= v.height) return target;
  return (target * (content - v.height)) / (real - v.height);
}
