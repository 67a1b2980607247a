// The operator's accent colour (BRAND_COLOR), turned into the shades pages and
// emails use. Any colour the operator picks must still give readable links and
// buttons: each shade is darkened (light theme) or lightened (dark theme) until
// it reaches 4.5:1 against its background, and button text is white or near-black,
// whichever contrasts more.
export const DEFAULT_BRAND_COLOR = "#4338ca";

type Rgb = [number, number, number];

export function parseHexColor(value: string): Rgb | null {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!match) return null;
  const hex = match[1]!.length === 3 ? [...match[1]!].map((c) => c + c).join("") : match[1]!;
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, "0")).join("")}`;
}

function luminance([r, g, b]: Rgb): number {
  const [R, G, B] = [r, g, b].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * R + 0.7152 * G + 0.0722 * B;
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function mix(color: Rgb, toward: Rgb, amount: number): Rgb {
  return color.map((c, i) => c + (toward[i]! - c) * amount) as Rgb;
}

/** Moves the colour toward black or white in small steps until it contrasts 4.5:1 with the background. */
function readableOn(color: Rgb, background: Rgb, toward: Rgb): Rgb {
  for (let step = 0; step <= 20; step++) {
    const candidate = mix(color, toward, step / 20);
    if (contrastRatio(candidate, background) >= 4.5) return candidate;
  }
  return toward;
}

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const NEAR_BLACK: Rgb = [17, 24, 39];
const LIGHT_BG: Rgb = [255, 255, 255];
const DARK_BG: Rgb = [18, 24, 38];

export type BrandPalette = {
  light: { accent: string; hover: string; text: string; soft: string; onSoft: string };
  dark: { accent: string; hover: string; text: string; soft: string; onSoft: string };
};

export function brandPalette(brandColor: string = DEFAULT_BRAND_COLOR): BrandPalette {
  const base = parseHexColor(brandColor) ?? parseHexColor(DEFAULT_BRAND_COLOR)!;
  const light = readableOn(base, LIGHT_BG, BLACK);
  const dark = readableOn(base, DARK_BG, WHITE);
  const textOn = (fill: Rgb) => (contrastRatio(WHITE, fill) >= contrastRatio(NEAR_BLACK, fill) ? WHITE : NEAR_BLACK);
  const lightSoft = mix(base, WHITE, 0.9);
  const darkSoft = mix(base, DARK_BG, 0.8);
  return {
    light: { accent: toHex(light), hover: toHex(mix(light, BLACK, 0.15)), text: toHex(textOn(light)), soft: toHex(lightSoft), onSoft: toHex(readableOn(light, lightSoft, BLACK)) },
    dark: { accent: toHex(dark), hover: toHex(mix(dark, WHITE, 0.2)), text: toHex(textOn(dark)), soft: toHex(darkSoft), onSoft: toHex(readableOn(dark, darkSoft, WHITE)) },
  };
}

/** The stylesheet served at /brand.css: the accent tokens for both themes. */
export function brandStylesheet(brandColor: string | undefined): string {
  const { light, dark } = brandPalette(brandColor);
  const block = (p: BrandPalette["light"]) => `--accent: ${p.accent}; --accent-hover: ${p.hover}; --accent-text: ${p.text}; --accent-soft: ${p.soft}; --accent-on-soft: ${p.onSoft};`;
  return `/* From BRAND_COLOR. */\n@layer tokens {\n  :root { ${block(light)} }\n  @media (prefers-color-scheme: dark) { :root { ${block(dark)} } }\n}\n`;
}
