// Inline SVG icons (no icon font, no request). Decorative: hidden from
// assistive technology; the text next to them carries the meaning.
import type { ReactNode } from "react";

export type IconProps = { className?: string };

export function Svg({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <svg className={className} viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}
