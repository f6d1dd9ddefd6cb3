/**
 * A Svelte action that scrolls its element into view within its scrolling column when its parameter
 * turns to a truthy key, and again each time it changes to another one (another box inspected). What
 * it holds may still be loading (a placeholder first, then the panel), so for a short while after the
 * key changes each change of its size brings it into view again; after that the learner's own scrolling
 * is left alone. A falsy key does nothing: the page uses it only while a lesson leads the side column,
 * where a panel opened below the lesson would otherwise be out of sight.
 */
/** How long a newly opened panel may take to load and still be brought into view. */
const SETTLE_MS = 3000;

export function reveal(node: HTMLElement, key: unknown) {
  let observer: ResizeObserver | undefined;
  const arm = (next: unknown) => {
    observer?.disconnect();
    if (!next) return;
    const until = performance.now() + SETTLE_MS;
    observer = new ResizeObserver(() => {
      if (performance.now() > until) return observer?.disconnect();
      if (node.offsetHeight > 0) node.scrollIntoView({ block: 'nearest' });
    });
    observer.observe(node);
  };
  arm(key);
  return {
    update: arm,
    destroy: () => observer?.disconnect(),
  };
}
