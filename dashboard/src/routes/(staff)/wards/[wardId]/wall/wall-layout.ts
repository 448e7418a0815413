/**
 * How the wall display lays out a ward: the number of columns that gives each tile the most room on
 * this screen, and the root font size that fills it. A tile is designed at the base font size
 * (BASE_FONT_PX) for about TILE_W_REM x TILE_H_REM; every size in it is in rem, so it scales whole.
 */
const BASE_FONT_PX = 17;
const TILE_W_REM = 13;
const TILE_H_REM = 12.5;
/** The ward's name, the live pill and a possible not-live banner above the tiles, in rem. */
const CHROME_H_REM = 7;
/** Larger than this reads no better and leaves a ward of two beds absurd. */
const MAX_FONT_PX = 48;

export function wallLayout(beds: number, widthPx: number, heightPx: number): { columns: number; fontPx: number } {
  if (beds <= 0 || widthPx <= 0 || heightPx <= 0) return { columns: 1, fontPx: BASE_FONT_PX };
  let best = { columns: 1, fontPx: 0 };
  for (let columns = 1; columns <= beds; columns++) {
    const rows = Math.ceil(beds / columns);
    // Font size f fits when columns tiles of TILE_W_REM * f fit the width and rows tiles plus the chrome fit the height.
    const fontPx = Math.min(widthPx / (columns * TILE_W_REM), heightPx / (rows * TILE_H_REM + CHROME_H_REM));
    if (fontPx > best.fontPx) best = { columns, fontPx };
  }
  return { columns: best.columns, fontPx: Math.max(12, Math.min(MAX_FONT_PX, Math.floor(best.fontPx))) };
}
