import { describe, expect, it } from 'vitest';
import { menuBeside } from './menu-position.ts';

describe('fault menu position', () => {
  const viewport = { width: 1000, height: 700 };
  const menu = { width: 300, height: 400 };

  it.each([
    ['right of the element when there is room', { left: 100, top: 100, right: 200, bottom: 180 }, { x: 208, y: 100 }],
    ['left of it near the right edge', { left: 700, top: 100, right: 800, bottom: 180 }, { x: 392, y: 100 }],
    ['moved up near the bottom', { left: 100, top: 650, right: 200, bottom: 690 }, { x: 208, y: 292 }],
    ['inside the margin when neither side has room', { left: 250, top: 10, right: 750, bottom: 60 }, { x: 250, y: 10 }],
  ])('opens %s', (_, element, expected) => {
    expect(menuBeside(element, menu, viewport)).toEqual(expected);
  });

  it('keeps the top-left corner on screen when the menu is larger than the window', () => {
    expect(menuBeside({ left: 500, top: 500, right: 600, bottom: 600 }, { width: 2000, height: 2000 }, viewport)).toEqual({ x: 8, y: 8 });
  });
});
