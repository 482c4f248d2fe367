/**
 * Draws the two icons of the Microsoft Teams app package, `manifest/color.png` (192×192, full colour)
 * and `manifest/outline.png` (32×32, white on a transparent background), with simple shapes: an
 * envelope with a speech-bubble tail, i.e. "messages about NHSmail". The PNGs are committed; run this
 * again only to change the drawing:
 *
 *   npx ts-node --transpile-only scripts/drawTeamsIcons.ts      (or: npm run build && node dist/scripts/drawTeamsIcons.js)
 *
 * Shapes are described in unit coordinates (0..1 across the icon) and rasterised with 4×4
 * supersampling, so edges are anti-aliased. Drawing is deterministic: the tests compare the committed
 * icons with what these functions draw.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;
/** NHS blue (NHS identity guidelines), also the manifest's accentColor. */
export const NHS_BLUE = { r: 0x00, g: 0x5e, b: 0xb8 } as const;
const WHITE = { r: 255, g: 255, b: 255 } as const;

type Shape = (x: number, y: number) => boolean;
interface Rgb {
  r: number;
  g: number;
  b: number;
}

const SAMPLES = 4;

function roundedRect(x0: number, y0: number, x1: number, y1: number, radius: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + radius), x1 - radius);
    const cy = Math.min(Math.max(y, y0 + radius), y1 - radius);
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
  };
}

function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number) =>
    (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const d1 = side(ax, ay, bx, by, x, y);
    const d2 = side(bx, by, cx, cy, x, y);
    const d3 = side(cx, cy, ax, ay, x, y);
    const negative = d1 < 0 || d2 < 0 || d3 < 0;
    const positive = d1 > 0 || d2 > 0 || d3 > 0;
    return !(negative && positive);
  };
}

/** A straight stroke of the given width between two points (round ends). */
function segment(ax: number, ay: number, bx: number, by: number, width: number): Shape {
  const lengthSquared = (bx - ax) ** 2 + (by - ay) ** 2;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / lengthSquared));
    const px = ax + t * (bx - ax);
    const py = ay + t * (by - ay);
    return (x - px) ** 2 + (y - py) ** 2 <= (width / 2) ** 2;
  };
}

const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((shape) => shape(x, y));
const minus =
  (shape: Shape, hole: Shape): Shape =>
  (x, y) =>
    shape(x, y) && !hole(x, y);

/** The fraction (0..1) of the pixel at (px, py) that the shape covers. */
function coverage(shape: Shape, px: number, py: number, size: number): number {
  let inside = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      if (shape((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size)) inside++;
    }
  }
  return inside / (SAMPLES * SAMPLES);
}

/** Paints layers over an opaque background; each layer is a shape and its colour. */
function paintOpaque(size: number, background: Rgb, layers: [Shape, Rgb][]): PNG {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let { r, g, b } = background;
      for (const [shape, colour] of layers) {
        const a = coverage(shape, px, py, size);
        r = r * (1 - a) + colour.r * a;
        g = g * (1 - a) + colour.g * a;
        b = b * (1 - a) + colour.b * a;
      }
      const i = (py * size + px) * 4;
      png.data[i] = Math.round(r);
      png.data[i + 1] = Math.round(g);
      png.data[i + 2] = Math.round(b);
      png.data[i + 3] = 255;
    }
  }
  return png;
}

/** White, with the shape's coverage as alpha; fully transparent elsewhere. */
function paintOutline(size: number, shape: Shape): PNG {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const alpha = Math.round(coverage(shape, px, py, size) * 255);
      const i = (py * size + px) * 4;
      // Transparent pixels are stored as transparent black, the usual convention.
      const value = alpha === 0 ? 0 : 255;
      png.data[i] = value;
      png.data[i + 1] = value;
      png.data[i + 2] = value;
      png.data[i + 3] = alpha;
    }
  }
  return png;
}

/**
 * 192×192: an NHS blue square with a white envelope that has a speech-bubble tail, its flap drawn in
 * NHS blue. The glyph stays inside the central safe area Teams recommends (about 120×120).
 */
export function drawColorIcon(): PNG {
  const bubble = union(roundedRect(0.2, 0.27, 0.8, 0.67, 0.06), triangle(0.3, 0.64, 0.45, 0.64, 0.27, 0.8));
  const flapWidth = 0.045;
  const flap = union(segment(0.25, 0.32, 0.5, 0.5, flapWidth), segment(0.5, 0.5, 0.75, 0.32, flapWidth));
  return paintOpaque(COLOR_ICON_SIZE, NHS_BLUE, [
    [bubble, WHITE],
    [flap, NHS_BLUE],
  ]);
}

/** 32×32: the same envelope as a white outline (2 px strokes) on a transparent background. */
export function drawOutlineIcon(): PNG {
  const stroke = 2 / OUTLINE_ICON_SIZE;
  const body = roundedRect(0.08, 0.16, 0.92, 0.72, 0.1);
  const inner = roundedRect(0.08 + stroke, 0.16 + stroke, 0.92 - stroke, 0.72 - stroke, 0.1 - stroke);
  const flap = union(segment(0.15, 0.24, 0.5, 0.49, stroke), segment(0.5, 0.49, 0.85, 0.24, stroke));
  const tail = triangle(0.22, 0.7, 0.42, 0.7, 0.18, 0.92);
  return paintOutline(OUTLINE_ICON_SIZE, union(minus(body, inner), flap, tail));
}

export function writeIcons(manifestDir: string): string[] {
  const files: [string, PNG][] = [
    ['color.png', drawColorIcon()],
    ['outline.png', drawOutlineIcon()],
  ];
  return files.map(([name, png]) => {
    const file = path.join(manifestDir, name);
    writeFileSync(file, PNG.sync.write(png));
    return file;
  });
}

if (require.main === module) {
  // From scripts/ (ts-node) or dist/scripts/ (compiled): the repository's manifest/ folder.
  const root = path.basename(path.dirname(__dirname)) === 'dist' ? path.resolve(__dirname, '../..') : path.resolve(__dirname, '..');
  for (const file of writeIcons(path.join(root, 'manifest'))) process.stdout.write(`wrote ${file}\n`);
}
