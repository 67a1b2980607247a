// A data table that never widens the page: it scrolls inside its own box (a
// focusable, labelled region, so keyboard users can scroll it too), or with
// `stack` turns into one card per row on a narrow screen, each cell labelled by
// its column (give every <td> a data-label).
import type { ReactNode } from "react";

export function Table({ caption, children, stack = false, captionVisible = false }: { caption: string; children: ReactNode; stack?: boolean; captionVisible?: boolean }) {
  return (
    // A scrolling box must be reachable by keyboard to be scrolled by keyboard (WCAG 2.1.1).
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table className={`table${stack ? " table--stack" : ""}`}>
        <caption className={captionVisible ? undefined : "visually-hidden"}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/** The header of the last column, which holds row actions. */
export function ActionsHeader() {
  return (
    <th scope="col" className="table__actions">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}
