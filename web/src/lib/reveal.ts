/**
 * A Svelte action that scrolls its element into view within its scrolling column once it has a size
 * (a panel whose component is still loading has none yet), and again each time its parameter changes
 * to another truthy key (another box inspected). A falsy key does nothing: the page uses it only while
 * a lesson leads the side column, where a panel opened below the lesson would otherwise be out of sight.
 */
export function reveal(node: HTMLElement, key: unknown) {
  let observer: ResizeObserver | undefined;
  const arm = (next: unknown) => {
    observer?.disconnect();
    if (!next) return;
    observer = new ResizeObserver(() => {
      if (node.offsetHeight === 0) return;
      node.scrollIntoView({ block: 'nearest' });
      observer?.disconnect();
    });
    observer.observe(node);
  };
  arm(key);
  return {
    update: arm,
    destroy: () => observer?.disconnect(),
  };
}
