import JSZip from 'jszip';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { classifyZipEntries, sniffHead } from './content-type.js';
import { readZipEntryNames } from './zip-entries.js';

async function zipOf(names: string[]): Promise<Buffer> {
  const zip = new JSZip();
  for (const name of names) zip.file(name, `<x>${name}</x>`);
  return zip.generateAsync({ type: 'nodebuffer', comment: 'made by a test' });
}

async function namesIn(buffer: Buffer) {
  return readZipEntryNames(async (offset, length) => buffer.subarray(offset, offset + length), buffer.length);
}

describe('content sniffing', () => {
  it('accepts PNG, JPEG and PDF by their magic bytes', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer();
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    expect(await sniffHead(png)).toEqual({ kind: 'final', type: 'png' });
    expect(await sniffHead(jpeg)).toEqual({ kind: 'final', type: 'jpeg' });
    expect(await sniffHead(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'))).toEqual({ kind: 'final', type: 'pdf' });
  });

  it('rejects executables and scripts', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200)]);
    const pe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(200)]);
    expect(await sniffHead(elf)).toBeUndefined();
    expect(await sniffHead(pe)).toBeUndefined();
    expect(await sniffHead(Buffer.from('#!/bin/sh\nrm -rf /\n'))).toBeUndefined();
  });

  it('classifies ZIP containers by entry names', async () => {
    expect(classifyZipEntries((await namesIn(await zipOf(['OFD.xml', 'Doc_0/Document.xml'])))!)).toBe('ofd');
    expect(classifyZipEntries((await namesIn(await zipOf(['[Content_Types].xml', 'word/document.xml'])))!)).toBe('docx');
    expect(classifyZipEntries((await namesIn(await zipOf(['[Content_Types].xml', 'xl/workbook.xml'])))!)).toBe('xlsx');
    expect(classifyZipEntries((await namesIn(await zipOf(['payload.exe'])))!)).toBeUndefined();
    expect(classifyZipEntries((await namesIn(await zipOf(['Doc/OFD.xml'])))!)).toBeUndefined();
  });

  it('refuses containers that carry a program or a macro project', async () => {
    expect(classifyZipEntries((await namesIn(await zipOf(['[Content_Types].xml', 'xl/workbook.xml', 'payload.exe'])))!)).toBeUndefined();
    expect(classifyZipEntries((await namesIn(await zipOf(['[Content_Types].xml', 'word/document.xml', 'word/vbaProject.bin'])))!)).toBeUndefined();
    expect(classifyZipEntries((await namesIn(await zipOf(['OFD.xml', 'Doc_0/run.sh'])))!)).toBeUndefined();
  });

  it('treats a cut-off ZIP as unreadable', async () => {
    const zip = await zipOf(['OFD.xml']);
    expect(await namesIn(zip.subarray(0, zip.length - 30))).toBeUndefined();
  });
});
