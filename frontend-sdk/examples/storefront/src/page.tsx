// Every page's heading: sets the document title and takes the focus after a client-side
// navigation, so a screen reader announces the new page (a full page load starts at the top anyway).
import { useEffect, useRef } from 'react';

let firstPage = true;

export function PageHeading({ children, title }: { children: string; title?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title ?? children} · Supergraph Shop`;
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, [children, title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
