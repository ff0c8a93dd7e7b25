import { PDFDocument, degrees } from 'pdf-lib';
import sharp from 'sharp';

/** Who received a copy and when; printed across every page or image handed out. */
export interface WatermarkStamp {
  readonly displayName: string;
  readonly username: string;
  readonly at: Date;
  readonly timeZone: string;
}

/** Formats the stamp as one line, e.g. `张三 (zhangsan) 2026-12-04 16:05`, in the firm's time zone. */
export function watermarkText(stamp: WatermarkStamp): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: stamp.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(stamp.at);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${stamp.displayName} (${stamp.username}) ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char]!);
}

/**
 * Builds an SVG of the given size covered by diagonal rows of the stamp text. Noto Sans CJK is
 * named first so Chinese names render through the fonts installed on the server.
 */
function tiledSvg(text: string, width: number, height: number): Buffer {
  const fontSize = Math.max(14, Math.round(Math.min(width, height) / 28));
  const stepX = Math.round(fontSize * text.length * 0.75 + fontSize * 4);
  const stepY = fontSize * 6;
  const rows: string[] = [];
  // Covers the rotated square around the image, so the corners are stamped too.
  const reach = Math.ceil(Math.hypot(width, height));
  for (let y = -reach; y < reach; y += stepY) {
    for (let x = -reach; x < reach; x += stepX) {
      rows.push(`<text x="${x}" y="${y}">${escapeXml(text)}</text>`);
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<g transform="translate(${width / 2} ${height / 2}) rotate(-30)" font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif" font-size="${fontSize}" fill="#808080" fill-opacity="0.35">${rows.join('')}</g>
</svg>`;
  return Buffer.from(svg, 'utf8');
}

/** Returns the image with the stamp tiled over it, in the same format (JPEG or PNG). */
export async function watermarkImage(input: Buffer, format: 'jpeg' | 'png', stamp: WatermarkStamp): Promise<Buffer> {
  // Applying the EXIF orientation first keeps the text upright on photos taken with a phone.
  const oriented = await sharp(input).rotate().toBuffer({ resolveWithObject: true });
  const { width, height } = oriented.info;
  const overlay = tiledSvg(watermarkText(stamp), width, height);
  const stamped = sharp(oriented.data).composite([{ input: overlay, top: 0, left: 0 }]);
  return format === 'jpeg' ? stamped.jpeg({ quality: 90 }).toBuffer() : stamped.png().toBuffer();
}

/** Renders the stamp text once as a transparent PNG strip for embedding in PDFs. */
async function stampStrip(text: string): Promise<{ png: Buffer; width: number; height: number }> {
  const fontSize = 36;
  const width = Math.round(fontSize * text.length * 0.8 + fontSize * 2);
  const height = fontSize * 2;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${fontSize}" y="${Math.round(fontSize * 1.35)}" font-family="Noto Sans CJK SC, Noto Sans SC, sans-serif" font-size="${fontSize}" fill="#808080">${escapeXml(text)}</text></svg>`;
  const png = await sharp(Buffer.from(svg, 'utf8')).png().toBuffer();
  return { png, width, height };
}

/**
 * Draws the stamp, as an embedded PNG image, diagonally several times on every page. An image
 * avoids embedding a CJK font, which would add megabytes to each download.
 */
export async function watermarkPdf(input: Buffer, stamp: WatermarkStamp): Promise<Buffer> {
  const document = await PDFDocument.load(input, { ignoreEncryption: false, updateMetadata: false });
  const strip = await stampStrip(watermarkText(stamp));
  const image = await document.embedPng(strip.png);

  for (const page of document.getPages()) {
    const { width, height } = page.getSize();
    const drawWidth = width * 0.6;
    const drawHeight = (drawWidth * strip.height) / strip.width;
    for (let row = 0; row < 4; row += 1) {
      page.drawImage(image, { x: width * 0.15, y: (height * (row + 0.5)) / 4 - drawHeight / 2, width: drawWidth, height: drawHeight, rotate: degrees(20), opacity: 0.3 });
    }
  }
  return Buffer.from(await document.save());
}
